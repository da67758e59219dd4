//! Typed scenario events. The loader decides which event creates a thing and which changes it,
//! so consumers never see an incomplete creation.

use std::collections::BTreeMap;
use std::fmt;

use super::time::ScenarioTime;

/// Declares a closed set of scenario words with their spelling in the file.
macro_rules! scenario_words {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every spelling, in declaration order.
            pub const ALL_NAMES: &'static [&'static str] = &[$($text),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn from_name(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

scenario_words!(
    /// The key that names an event's kind.
    EventKindName {
        Alert => "alert",
        Page => "page",
        Ci => "ci",
        Deploy => "deploy",
        Scale => "scale",
        K8sEvent => "k8s_event",
        Node => "node",
        Annotation => "annotation",
    }
);

scenario_words!(AlertVia { Grafana => "grafana", Prometheus => "prometheus" });
scenario_words!(AlertState { Firing => "firing", Resolved => "resolved" });
scenario_words!(Urgency { High => "high", Low => "low" });
scenario_words!(PageState {
    Triggered => "triggered",
    Acknowledged => "acknowledged",
    Resolved => "resolved",
});
scenario_words!(CiState {
    Queued => "queued",
    InProgress => "in_progress",
    Completed => "completed",
});
scenario_words!(CiConclusion {
    Success => "success",
    Failure => "failure",
    Cancelled => "cancelled",
});
scenario_words!(K8sEventType { Normal => "Normal", Warning => "Warning" });
scenario_words!(NodeState {
    Ready => "Ready",
    NotReady => "NotReady",
    SchedulingDisabled => "SchedulingDisabled",
});

/// One scripted event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Position in the file's `events` list (0-based).
    pub index: usize,
    pub at: ScenarioTime,
    pub kind: EventKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    Alert(AlertEvent),
    Page(PageEvent),
    Ci(CiEvent),
    Deploy(Deploy),
    Scale(Scale),
    K8sEvent(K8sEvent),
    Node(NodeChange),
    Annotation(Annotation),
}

impl EventKind {
    pub fn name(&self) -> EventKindName {
        match self {
            EventKind::Alert(_) => EventKindName::Alert,
            EventKind::Page(_) => EventKindName::Page,
            EventKind::Ci(_) => EventKindName::Ci,
            EventKind::Deploy(_) => EventKindName::Deploy,
            EventKind::Scale(_) => EventKindName::Scale,
            EventKind::K8sEvent(_) => EventKindName::K8sEvent,
            EventKind::Node(_) => EventKindName::Node,
            EventKind::Annotation(_) => EventKindName::Annotation,
        }
    }
}

/// An alert's identity: its name plus its `labels` (not counting the `service` and `severity`
/// labels the simulator adds).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AlertIdentity {
    pub name: String,
    pub labels: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlertEvent {
    /// An alert starts firing (first time, or again after resolving).
    Fire(AlertFiring),
    /// A firing alert changes its summary or runbook.
    Update(AlertUpdate),
    /// Firing alerts stop; `resolves` lists the ones the loader matched, in firing order.
    Resolve(AlertResolve),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertFiring {
    pub identity: AlertIdentity,
    pub service: String,
    pub severity: String,
    pub via: AlertVia,
    pub summary: String,
    pub runbook: Option<String>,
}

impl AlertFiring {
    /// The labels a vendor shows: the scenario's labels plus `alertname`, `service` and
    /// `severity`.
    pub fn vendor_labels(&self) -> BTreeMap<String, String> {
        let mut labels = self.identity.labels.clone();
        labels.insert("alertname".into(), self.identity.name.clone());
        labels.insert("service".into(), self.service.clone());
        labels.insert("severity".into(), self.severity.clone());
        labels
    }

    pub fn runbook_url(&self) -> Option<String> {
        self.runbook.as_deref().map(runbook_url)
    }
}

/// The `runbook_url` annotation for a scenario runbook name.
pub fn runbook_url(runbook: &str) -> String {
    format!("https://runbooks.example.test/{runbook}")
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertUpdate {
    pub identity: AlertIdentity,
    pub summary: Option<String>,
    pub runbook: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertResolve {
    pub name: String,
    /// Labels a firing alert must include (its `service` and `severity` count as labels).
    pub matchers: BTreeMap<String, String>,
    pub resolves: Vec<AlertIdentity>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageEvent {
    /// The first event with this id: creates the incident.
    Open(PageOpen),
    Update(PageUpdate),
}

impl PageEvent {
    pub fn id(&self) -> &str {
        match self {
            PageEvent::Open(open) => &open.id,
            PageEvent::Update(update) => &update.id,
        }
    }
}

/// People are named by their email; the loader has resolved `me`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageOpen {
    pub id: String,
    pub service: String,
    pub title: String,
    pub urgency: Urgency,
    pub assignee: String,
    pub state: PageState,
    pub by: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageUpdate {
    pub id: String,
    pub title: Option<String>,
    pub urgency: Option<Urgency>,
    pub assignee: Option<String>,
    pub state: Option<PageState>,
    pub by: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CiEvent {
    /// The first event with this run id.
    Start(CiRun),
    Update(CiRunUpdate),
}

impl CiEvent {
    pub fn id(&self) -> u64 {
        match self {
            CiEvent::Start(run) => run.id,
            CiEvent::Update(update) => update.id,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CiRun {
    pub id: u64,
    pub repo: String,
    pub workflow: String,
    pub branch: String,
    pub commit: String,
    pub title: String,
    pub state: CiState,
    /// Present exactly when `state` is completed.
    pub conclusion: Option<CiConclusion>,
    pub environment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CiRunUpdate {
    pub id: u64,
    pub title: Option<String>,
    pub state: Option<CiState>,
    pub conclusion: Option<CiConclusion>,
    pub environment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deploy {
    pub service: String,
    pub image: String,
    pub reason: Option<String>,
    pub by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scale {
    pub service: String,
    pub replicas: u32,
    pub by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct K8sEvent {
    pub context: String,
    pub namespace: String,
    pub object: ObjectRef,
    pub event_type: K8sEventType,
    pub reason: String,
    pub message: String,
}

/// `Kind/name`, as in `Pod/user-dashboard-5c9f7b8d4-x2x8q`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectRef {
    pub kind: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeChange {
    pub context: String,
    pub name: String,
    pub state: NodeState,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    pub text: String,
    pub tags: Vec<String>,
    pub service: Option<String>,
}
