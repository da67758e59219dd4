//! When a page becomes a desktop notification. Pure: the engine gathers the facts, this decides,
//! and the store's `notifications_sent` table makes each key fire once.

use serde::{Deserialize, Serialize};

use crate::labels::Status;

/// PagerDuty's incident urgency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    High,
    Low,
}

/// The desktop notification's urgency (freedesktop: low, normal, critical).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotifyUrgency {
    Low,
    Normal,
    Critical,
}

/// What the policy needs to know about one page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageFacts {
    pub incident_id: String,
    pub title: String,
    pub service: Option<String>,
    pub urgency: Urgency,
    pub status: Status,
    pub assigned_to_me: bool,
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// Deduplication key: the same key is never shown twice, even across restarts.
    pub key: String,
    pub summary: String,
    pub body: String,
    pub urgency: NotifyUrgency,
    pub incident_id: String,
    pub url: Option<String>,
}

/// The notification this page deserves right now, if any.
///
/// Today only a triggered, high-urgency page assigned to me notifies. Reminders, low urgency
/// and quiet hours will add rules here; each rule is one arm so they stay independent and
/// table-testable.
pub fn page_notification(facts: &PageFacts) -> Option<Notification> {
    match (facts.status, facts.urgency, facts.assigned_to_me) {
        (Status::Triggered, Urgency::High, true) => Some(triggered_page(facts)),
        _ => None,
    }
}

fn triggered_page(facts: &PageFacts) -> Notification {
    let reason = "high urgency, assigned to you";
    let body = match facts.service.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(service) => format!("{service} — {reason}"),
        None => capitalize_first(reason),
    };
    Notification {
        key: format!("page:{}:triggered", facts.incident_id),
        summary: format!("Page: {}", facts.title),
        body,
        urgency: NotifyUrgency::Critical,
        incident_id: facts.incident_id.clone(),
        url: facts.url.clone(),
    }
}

fn capitalize_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(status: Status, urgency: Urgency, mine: bool, service: Option<&str>) -> PageFacts {
        PageFacts {
            incident_id: "Q0PAY0001".into(),
            title: "API response time critical".into(),
            service: service.map(str::to_owned),
            urgency,
            status,
            assigned_to_me: mine,
            url: Some("https://acme.pagerduty.test/incidents/Q0PAY0001".into()),
        }
    }

    #[test]
    fn triggered_high_urgency_page_for_me_notifies() {
        let n = page_notification(&facts(
            Status::Triggered,
            Urgency::High,
            true,
            Some("payments-api"),
        ))
        .unwrap();
        assert_eq!(
            n,
            Notification {
                key: "page:Q0PAY0001:triggered".into(),
                summary: "Page: API response time critical".into(),
                body: "payments-api — high urgency, assigned to you".into(),
                urgency: NotifyUrgency::Critical,
                incident_id: "Q0PAY0001".into(),
                url: Some("https://acme.pagerduty.test/incidents/Q0PAY0001".into()),
            }
        );
    }

    #[test]
    fn body_without_a_service_reads_as_a_sentence() {
        for service in [None, Some(""), Some("  ")] {
            let n =
                page_notification(&facts(Status::Triggered, Urgency::High, true, service)).unwrap();
            assert_eq!(n.body, "High urgency, assigned to you");
        }
    }

    #[test]
    fn notification_table() {
        use Status::*;
        use Urgency::*;
        let cases = [
            (Triggered, High, true, true),
            (Triggered, High, false, false),
            (Triggered, Low, true, false),
            (Acknowledged, High, true, false),
            (Resolved, High, true, false),
            (Firing, High, true, false),
        ];
        for (status, urgency, mine, notifies) in cases {
            let got = page_notification(&facts(status, urgency, mine, Some("svc")));
            assert_eq!(
                got.is_some(),
                notifies,
                "{status:?} {urgency:?} mine={mine}"
            );
        }
    }
}
