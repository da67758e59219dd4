//! "What changed?": for an alert or a page, the changes shortly before it — deploys, rollouts,
//! scaling, CI runs, Grafana annotations, node cordons and opsdeck's own changing actions —
//! ranked so the likeliest cause comes first.
//!
//! The ranking is deliberately simple and explainable, because the engineer has to trust it at
//! 03:00: a change on the same service always beats one on another service, and among those
//! the closer in time wins. A change whose service is unknown (a cluster-wide annotation, a
//! node) may well be related: it gets a smaller head start, so a very recent one can still
//! outrank an old change on the same service.

use chrono::Duration;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{EntryKind, SourceKind, Status, TimelineEntry};

/// How far back to look by default.
pub const DEFAULT_WINDOW_MINUTES: i64 = 60;

/// How a change relates to the subject's service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ServiceMatch {
    Same,
    /// One of the two has no service: possibly related.
    Unknown,
    Other,
}

/// One ranked change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Suspect {
    pub entry: TimelineEntry,
    /// How long before the subject started (0 for the same instant).
    #[ts(type = "number")]
    pub seconds_before: i64,
    pub service: ServiceMatch,
    /// Higher is likelier; only the order means anything.
    pub score: f64,
    /// One line saying why it is here: "deploy on payments-api, 4 min before (same service)".
    pub reason: String,
}

/// Whether an entry is a change to the running system, as opposed to a symptom or a
/// bookkeeping action (acknowledging a page changes nothing in production).
pub fn is_change(entry: &TimelineEntry) -> bool {
    match entry.kind {
        // A deploy to staging changes nothing production runs.
        EntryKind::Deployment => {
            entry
                .details
                .get("production")
                .and_then(serde_json::Value::as_bool)
                != Some(false)
        }
        EntryKind::Rollout | EntryKind::Scale | EntryKind::CiRun | EntryKind::Annotation => true,
        // Cordoning or draining moves workloads; a node going NotReady is a symptom.
        EntryKind::Node => entry.status == Some(Status::Cordoned),
        EntryKind::Action => {
            entry.source == SourceKind::Opsdeck
                && entry.status == Some(Status::Succeeded)
                && entry
                    .details
                    .get("action_kind")
                    .and_then(serde_json::Value::as_str)
                    .is_some_and(|k| k.starts_with("kubernetes.") || k.starts_with("github."))
        }
        _ => false,
    }
}

/// The changes among `candidates` that started within `window` before `subject` started (the
/// same instant included), most suspicious first.
pub fn suspects(
    subject: &TimelineEntry,
    candidates: &[TimelineEntry],
    window: Duration,
) -> Vec<Suspect> {
    let from = subject.started_at - window;
    let window_secs = window.num_seconds().max(1) as f64;
    let mut found: Vec<Suspect> = candidates
        .iter()
        .filter(|c| c.id != subject.id && is_change(c))
        .filter(|c| c.started_at >= from && c.started_at <= subject.started_at)
        .map(|c| {
            let before = (subject.started_at - c.started_at).num_seconds();
            let service = match (&subject.service, &c.service) {
                (Some(a), Some(b)) if a == b => ServiceMatch::Same,
                (Some(_), Some(_)) => ServiceMatch::Other,
                _ => ServiceMatch::Unknown,
            };
            let closeness = 1.0 - (before as f64 / window_secs).clamp(0.0, 1.0);
            let bonus = match service {
                ServiceMatch::Same => 1.0,
                ServiceMatch::Unknown => 0.25,
                ServiceMatch::Other => 0.0,
            };
            Suspect {
                reason: reason(c, before, service),
                entry: c.clone(),
                seconds_before: before,
                service,
                score: bonus + closeness,
            }
        })
        .collect();
    found.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.seconds_before.cmp(&b.seconds_before))
            .then_with(|| a.entry.id.cmp(&b.entry.id))
    });
    found
}

fn reason(change: &TimelineEntry, seconds_before: i64, service: ServiceMatch) -> String {
    let what = match change.kind {
        EntryKind::Deployment => "deploy",
        EntryKind::Rollout => "rollout",
        EntryKind::Scale => "scaling",
        EntryKind::CiRun => "CI run",
        EntryKind::Annotation => "annotation",
        EntryKind::Node => "node cordoned",
        EntryKind::Action => "opsdeck action",
        _ => "change",
    };
    let on = change
        .service
        .as_deref()
        .map(|s| format!(" on {s}"))
        .unwrap_or_default();
    let when = match seconds_before {
        0 => "at the same time".to_string(),
        s if s < 60 => format!("{s} s before"),
        s => format!("{} min before", s / 60),
    };
    let relation = match service {
        ServiceMatch::Same => " (same service)",
        ServiceMatch::Unknown => "",
        ServiceMatch::Other => " (another service)",
    };
    format!("{what}{on}, {when}{relation}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Severity, TimelineEntry};
    use chrono::{DateTime, TimeZone, Utc};
    use serde_json::json;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 4, h, m, 0).unwrap()
    }

    fn entry(
        id: &str,
        kind: EntryKind,
        service: Option<&str>,
        started_at: DateTime<Utc>,
    ) -> TimelineEntry {
        TimelineEntry {
            id: id.into(),
            source: SourceKind::Kubernetes,
            kind,
            severity: Severity::Info,
            status: None,
            title: id.into(),
            service: service.map(str::to_string),
            url: None,
            started_at,
            ended_at: None,
            external_id: id.into(),
            details: json!({}),
        }
    }

    fn ids(found: &[Suspect]) -> Vec<&str> {
        found.iter().map(|s| s.entry.id.as_str()).collect()
    }

    #[test]
    fn same_service_first_then_closeness() {
        let page = entry("page", EntryKind::Page, Some("payments-api"), at(5, 47));
        let candidates = vec![
            entry(
                "deploy-same-early",
                EntryKind::Deployment,
                Some("payments-api"),
                at(5, 0),
            ),
            entry(
                "scale-other-close",
                EntryKind::Scale,
                Some("orders-db"),
                at(5, 46),
            ),
            entry(
                "rollout-same-close",
                EntryKind::Rollout,
                Some("payments-api"),
                at(5, 40),
            ),
            entry(
                "annotation-anywhere",
                EntryKind::Annotation,
                None,
                at(5, 40),
            ),
            // Outside the window, after the page, or not a change at all.
            entry(
                "too-early",
                EntryKind::Deployment,
                Some("payments-api"),
                at(4, 46),
            ),
            entry(
                "after",
                EntryKind::Deployment,
                Some("payments-api"),
                at(5, 48),
            ),
            entry("alert", EntryKind::Alert, Some("payments-api"), at(5, 44)),
            page.clone(),
        ];
        let found = suspects(&page, &candidates, Duration::minutes(60));
        assert_eq!(
            ids(&found),
            [
                "rollout-same-close",
                "deploy-same-early",
                "annotation-anywhere",
                "scale-other-close"
            ]
        );
        assert_eq!(found[0].seconds_before, 7 * 60);
        assert_eq!(found[0].service, ServiceMatch::Same);
        assert_eq!(
            found[0].reason,
            "rollout on payments-api, 7 min before (same service)"
        );
        assert_eq!(found[2].reason, "annotation, 7 min before");
        assert_eq!(
            found[3].reason,
            "scaling on orders-db, 1 min before (another service)"
        );
    }

    #[test]
    fn the_window_is_inclusive_and_configurable() {
        let alert = entry("alert", EntryKind::Alert, Some("orders-db"), at(22, 30));
        let candidates = vec![
            entry("edge", EntryKind::CiRun, Some("orders-db"), at(22, 15)),
            entry(
                "same-instant",
                EntryKind::Scale,
                Some("orders-db"),
                at(22, 30),
            ),
        ];
        let found = suspects(&alert, &candidates, Duration::minutes(15));
        assert_eq!(ids(&found), ["same-instant", "edge"]);
        assert_eq!(
            found[0].reason,
            "scaling on orders-db, at the same time (same service)"
        );
        // A very recent change of unknown service outranks an old one on the same service.
        let recent = entry("recent-annotation", EntryKind::Annotation, None, at(22, 29));
        let old = entry(
            "old-deploy",
            EntryKind::Deployment,
            Some("orders-db"),
            at(21, 35),
        );
        assert_eq!(
            ids(&suspects(&alert, &[old, recent], Duration::minutes(60))),
            ["recent-annotation", "old-deploy"]
        );
        assert!(suspects(&alert, &candidates, Duration::minutes(14))
            .iter()
            .all(|s| s.entry.id != "edge"));
    }

    #[test]
    fn only_changing_actions_and_cordons_count() {
        let mut action = entry(
            "scale-action",
            EntryKind::Action,
            Some("payments-api"),
            at(5, 30),
        );
        action.source = SourceKind::Opsdeck;
        action.status = Some(Status::Succeeded);
        action.details = json!({"action_kind": "kubernetes.scale"});
        assert!(is_change(&action));
        action.details = json!({"action_kind": "pagerduty.acknowledge"});
        assert!(
            !is_change(&action),
            "acknowledging changes nothing in production"
        );
        action.details = json!({"action_kind": "kubernetes.scale"});
        action.status = Some(Status::Failed);
        assert!(!is_change(&action), "a failed action changed nothing");

        let mut node = entry("node", EntryKind::Node, None, at(5, 30));
        node.status = Some(Status::Cordoned);
        assert!(is_change(&node));
        node.status = Some(Status::NotReady);
        assert!(!is_change(&node), "NotReady is a symptom");
    }

    #[test]
    fn deploys_count_unless_they_went_elsewhere_than_production() {
        let mut deploy = entry(
            "deploy",
            EntryKind::Deployment,
            Some("payments-api"),
            at(5, 30),
        );
        assert!(
            is_change(&deploy),
            "a deploy that says nothing of where counts"
        );
        deploy.details = json!({"environment": "production", "production": true});
        assert!(is_change(&deploy));
        deploy.details = json!({"environment": "staging", "production": false});
        assert!(!is_change(&deploy), "staging is not what pages");
    }
}
