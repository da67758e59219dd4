//! The closed vocabularies of the timeline contract. Each variant's wire name is written once,
//! in the macro call, so serde, `as_str`, `FromStr` and the TypeScript bindings cannot disagree.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::UnknownName;

macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident => $wire:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $wire)] $variant, )+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire name (the same string serde and the database use).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $wire, )+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownName;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $( $wire => Ok($name::$variant), )+
                    _ => Err(UnknownName {
                        what: $what,
                        value: s.to_owned(),
                        expected: [$($wire),+].join(", "),
                    }),
                }
            }
        }
    };
}

wire_enum! {
    /// Where an entry came from; `opsdeck` marks the cockpit's own actions, notes and runbook
    /// steps.
    SourceKind, "source kind" {
        Pagerduty => "pagerduty",
        Alertmanager => "alertmanager",
        Grafana => "grafana",
        Prometheus => "prometheus",
        Github => "github",
        Kubernetes => "kubernetes",
        Opsdeck => "opsdeck",
    }
}

wire_enum! {
    /// What a timeline entry is.
    EntryKind, "entry kind" {
        Page => "page",
        Alert => "alert",
        Annotation => "annotation",
        CiRun => "ci_run",
        Deployment => "deployment",
        Rollout => "rollout",
        Scale => "scale",
        K8sEvent => "k8s_event",
        Node => "node",
        Action => "action",
        Note => "note",
        RunbookStep => "runbook_step",
    }
}

wire_enum! {
    /// How loud an entry is: `critical` > `warning` > `info`.
    // Declared from quietest to loudest so the derived `Ord` ranks `Critical` highest and
    // `max()` over a set of entries gives the worst one.
    #[derive(PartialOrd, Ord)]
    Severity, "severity" {
        Info => "info",
        Warning => "warning",
        Critical => "critical",
    }
}

wire_enum! {
    /// The state of the thing an entry describes; which values apply depends on the kind (see
    /// the timeline contract).
    Status, "status" {
        Triggered => "triggered",
        Acknowledged => "acknowledged",
        Resolved => "resolved",
        Firing => "firing",
        Queued => "queued",
        InProgress => "in_progress",
        Success => "success",
        Failure => "failure",
        Cancelled => "cancelled",
        Progressing => "progressing",
        Complete => "complete",
        Failed => "failed",
        Ready => "ready",
        NotReady => "not_ready",
        Cordoned => "cordoned",
        Planned => "planned",
        Refused => "refused",
        Succeeded => "succeeded",
    }
}

impl SourceKind {
    /// The vendor's name as people write it.
    pub const fn label(self) -> &'static str {
        match self {
            SourceKind::Pagerduty => "PagerDuty",
            SourceKind::Alertmanager => "Alertmanager",
            SourceKind::Grafana => "Grafana",
            SourceKind::Prometheus => "Prometheus",
            SourceKind::Github => "GitHub",
            SourceKind::Kubernetes => "Kubernetes",
            SourceKind::Opsdeck => "opsdeck",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `as_str`, serde and `FromStr` must agree for every variant of every vocabulary.
    fn assert_round_trips<T>(all: &[T], as_str: fn(T) -> &'static str)
    where
        T: Copy + fmt::Debug + PartialEq + Serialize + FromStr<Err = UnknownName>,
    {
        for &v in all {
            let wire = as_str(v);
            assert_eq!(serde_json::to_value(v).unwrap(), serde_json::json!(wire));
            assert_eq!(wire.parse::<T>().unwrap(), v);
        }
    }

    #[test]
    fn wire_names_round_trip() {
        assert_round_trips(SourceKind::ALL, SourceKind::as_str);
        assert_round_trips(EntryKind::ALL, EntryKind::as_str);
        assert_round_trips(Severity::ALL, Severity::as_str);
        assert_round_trips(Status::ALL, Status::as_str);
        assert_eq!(SourceKind::ALL.len(), 7);
        assert_eq!(EntryKind::ALL.len(), 12);
        assert_eq!(Status::ALL.len(), 18);
    }

    #[test]
    fn snake_case_names() {
        assert_eq!(EntryKind::CiRun.as_str(), "ci_run");
        assert_eq!(EntryKind::K8sEvent.as_str(), "k8s_event");
        assert_eq!(Status::NotReady.to_string(), "not_ready");
        assert_eq!(
            serde_json::from_str::<Status>("\"in_progress\"").unwrap(),
            Status::InProgress
        );
    }

    #[test]
    fn unknown_name_says_what_is_accepted() {
        let err = "pagerdooty".parse::<SourceKind>().unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("unknown source kind \"pagerdooty\""), "{msg}");
        assert!(msg.contains("pagerduty, alertmanager"), "{msg}");
    }

    #[test]
    fn critical_is_the_highest_severity() {
        let worst = [Severity::Warning, Severity::Critical, Severity::Info]
            .into_iter()
            .max();
        assert_eq!(worst, Some(Severity::Critical));
        assert!(Severity::Warning > Severity::Info);
    }
}
