//! When pages (and opsdeck's own trouble) become desktop notifications. Pure: the engine
//! gathers the facts and what was already shown, this decides; the store's
//! `notifications_sent` table makes each key fire once, across restarts.
//!
//! The rules, each table-tested below:
//! - a triggered high-urgency page assigned to me notifies with critical urgency and a sound;
//! - a low-urgency one notifies quietly (or not at all, by preference), once;
//! - a high-urgency page still triggered is re-notified every `remind_every` until it is
//!   acknowledged, each reminder with its own key (incident, reason, count);
//! - during quiet hours only high urgency gets through;
//! - many new pages at once (after a laptop sleep or a VPN drop) give one summary plus one
//!   notification per high-urgency page, and nothing twice;
//! - a source failing for longer than a threshold while I am on call raises a self-alarm.

use std::time::Duration;

use chrono::{DateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

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
    /// Ask the notification server for a sound.
    pub sound: bool,
    /// What a click opens: the incident (empty for opsdeck's own alarms).
    pub incident_id: String,
    pub url: Option<String>,
}

/// What to do with low-urgency pages assigned to me.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LowUrgency {
    /// One silent, low-urgency notification.
    #[default]
    Quiet,
    /// None: they are on the timeline.
    None,
}

/// The local times between which only high urgency gets through; may span midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuietHours {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl QuietHours {
    pub fn contains(&self, t: NaiveTime) -> bool {
        if self.start <= self.end {
            self.start <= t && t < self.end
        } else {
            t >= self.start || t < self.end
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyPolicy {
    pub low_urgency: LowUrgency,
    /// `None`: no reminders.
    pub remind_every: Option<Duration>,
    pub quiet_hours: Option<QuietHours>,
    /// This many first notifications at once are summarised.
    pub batch_from: usize,
}

impl Default for NotifyPolicy {
    fn default() -> Self {
        NotifyPolicy {
            low_urgency: LowUrgency::Quiet,
            remind_every: Some(Duration::from_secs(300)),
            quiet_hours: None,
            batch_from: 3,
        }
    }
}

/// What was already shown for one incident: how many notifications, and when the latest was
/// (real time: reminders run on the real clock, like every interval).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shown {
    pub count: u32,
    pub last_real: DateTime<Utc>,
}

/// One page as the policy sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageView {
    pub facts: PageFacts,
    /// `None`: never notified.
    pub shown: Option<Shown>,
}

/// A notification to show, and every key it accounts for (a summary also stands for the
/// low-urgency pages folded into it, so none of them fires on its own later).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub notification: Notification,
    pub marks: Vec<Mark>,
}

/// A key to record as shown, with the incident it belongs to (for reminder counting).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub key: String,
    pub incident_id: String,
}

/// What the pages deserve right now. `local_now` is the wall-clock time in my zone (quiet
/// hours), `real_now` the real time (reminders).
pub fn notifications_due(
    pages: &[PageView],
    policy: &NotifyPolicy,
    local_now: NaiveTime,
    real_now: DateTime<Utc>,
) -> Vec<Decision> {
    let quiet = policy.quiet_hours.is_some_and(|q| q.contains(local_now));
    let mut firsts: Vec<&PageView> = Vec::new();
    let mut reminders: Vec<Decision> = Vec::new();
    for page in pages {
        let f = &page.facts;
        if f.status != Status::Triggered || !f.assigned_to_me {
            continue;
        }
        match (f.urgency, page.shown) {
            (Urgency::Low, _) if quiet || policy.low_urgency == LowUrgency::None => {}
            (_, None) => firsts.push(page),
            (Urgency::High, Some(shown)) => {
                let due = policy
                    .remind_every
                    .and_then(|every| chrono::Duration::from_std(every).ok())
                    .is_some_and(|every| real_now - shown.last_real >= every);
                if due {
                    reminders.push(single(reminder(f, shown.count)));
                }
            }
            // Low urgency is told once.
            (Urgency::Low, Some(_)) => {}
        }
    }
    let mut out = Vec::new();
    if firsts.len() >= policy.batch_from.max(2) {
        out.push(summary(&firsts));
        out.extend(
            firsts
                .iter()
                .filter(|p| p.facts.urgency == Urgency::High)
                .map(|p| single(first(&p.facts))),
        );
    } else {
        out.extend(firsts.iter().map(|p| single(first(&p.facts))));
    }
    out.extend(reminders);
    out
}

fn single(notification: Notification) -> Decision {
    let marks = vec![Mark {
        key: notification.key.clone(),
        incident_id: notification.incident_id.clone(),
    }];
    Decision {
        notification,
        marks,
    }
}

fn with_service(facts: &PageFacts, reason: &str) -> String {
    match facts.service.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(service) => format!("{service} — {reason}"),
        None => capitalize_first(reason),
    }
}

fn first(facts: &PageFacts) -> Notification {
    let high = facts.urgency == Urgency::High;
    Notification {
        key: first_key(&facts.incident_id),
        summary: format!("Page: {}", facts.title),
        body: with_service(
            facts,
            if high {
                "high urgency, assigned to you"
            } else {
                "low urgency, assigned to you"
            },
        ),
        urgency: if high {
            NotifyUrgency::Critical
        } else {
            NotifyUrgency::Low
        },
        sound: high,
        incident_id: facts.incident_id.clone(),
        url: facts.url.clone(),
    }
}

/// The key of a page's first notification.
pub fn first_key(incident_id: &str) -> String {
    format!("page:{incident_id}:triggered")
}

fn reminder(facts: &PageFacts, shown: u32) -> Notification {
    Notification {
        key: format!("page:{}:reminder:{shown}", facts.incident_id),
        summary: format!("Still unacknowledged: {}", facts.title),
        body: with_service(
            facts,
            &format!("reminder {shown}, high urgency, assigned to you"),
        ),
        urgency: NotifyUrgency::Critical,
        sound: true,
        incident_id: facts.incident_id.clone(),
        url: facts.url.clone(),
    }
}

fn summary(pages: &[&PageView]) -> Decision {
    let mut ids: Vec<&str> = pages.iter().map(|p| p.facts.incident_id.as_str()).collect();
    ids.sort_unstable();
    let digest = Sha256::digest(ids.join("\n").as_bytes());
    let high = pages
        .iter()
        .filter(|p| p.facts.urgency == Urgency::High)
        .count();
    let titles: Vec<String> = pages
        .iter()
        .take(5)
        .map(|p| format!("• {}", p.facts.title))
        .collect();
    let more = pages.len().saturating_sub(5);
    let mut body = titles.join("\n");
    if more > 0 {
        body.push_str(&format!("\n… and {more} more"));
    }
    let notification = Notification {
        key: format!("batch:{}", hex::encode(&digest[..8])),
        summary: format!("{} new pages ({high} high urgency)", pages.len()),
        body,
        urgency: if high > 0 {
            NotifyUrgency::Critical
        } else {
            NotifyUrgency::Normal
        },
        // The high-urgency pages ring on their own.
        sound: false,
        incident_id: String::new(),
        url: None,
    };
    // The summary stands for the low-urgency pages; the high ones are marked by their own.
    let marks = std::iter::once(Mark {
        key: notification.key.clone(),
        incident_id: String::new(),
    })
    .chain(
        pages
            .iter()
            .filter(|p| p.facts.urgency == Urgency::Low)
            .map(|p| Mark {
                key: first_key(&p.facts.incident_id),
                incident_id: p.facts.incident_id.clone(),
            }),
    )
    .collect();
    Decision {
        notification,
        marks,
    }
}

/// A source that is failing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outage {
    pub source_name: String,
    /// As the user calls it: "PagerDuty".
    pub vendor: String,
    /// When it last worked (or first failed, if it never did).
    pub failing_since: DateTime<Utc>,
    /// That time as I read it ("05:41").
    pub since_local: String,
    pub error: String,
}

/// "opsdeck cannot reach PagerDuty since 05:41": a source failing for `threshold` or more while
/// I am on call. Once per outage: the key names when it began.
pub fn self_alarm(
    outage: &Outage,
    on_call: bool,
    now: DateTime<Utc>,
    threshold: Duration,
) -> Option<Notification> {
    let threshold = chrono::Duration::from_std(threshold).ok()?;
    if !on_call || now - outage.failing_since < threshold {
        return None;
    }
    Some(Notification {
        key: format!(
            "alarm:{}:{}",
            outage.source_name,
            outage.failing_since.timestamp_millis()
        ),
        summary: format!(
            "opsdeck cannot reach {} since {}",
            outage.vendor, outage.since_local
        ),
        body: format!(
            "You are on call and pages may not reach you. {}",
            outage.error
        ),
        urgency: NotifyUrgency::Critical,
        sound: true,
        incident_id: String::new(),
        url: None,
    })
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
    use chrono::TimeZone;

    use super::*;

    fn facts(id: &str, status: Status, urgency: Urgency, mine: bool) -> PageFacts {
        PageFacts {
            incident_id: id.into(),
            title: format!("{id} title"),
            service: Some("payments-api".into()),
            urgency,
            status,
            assigned_to_me: mine,
            url: Some(format!("https://acme.pagerduty.test/incidents/{id}")),
        }
    }

    fn real(min: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 4, 6, 0, 0).unwrap() + chrono::Duration::minutes(min)
    }

    fn page(
        id: &str,
        status: Status,
        urgency: Urgency,
        mine: bool,
        shown: Option<(u32, i64)>,
    ) -> PageView {
        PageView {
            facts: facts(id, status, urgency, mine),
            shown: shown.map(|(count, at)| Shown {
                count,
                last_real: real(at),
            }),
        }
    }

    fn noon() -> NaiveTime {
        NaiveTime::from_hms_opt(12, 0, 0).unwrap()
    }

    fn keys(decisions: &[Decision]) -> Vec<String> {
        decisions
            .iter()
            .map(|d| d.notification.key.clone())
            .collect()
    }

    #[test]
    fn a_first_high_urgency_page_rings() {
        let d = notifications_due(
            &[page("Q1", Status::Triggered, Urgency::High, true, None)],
            &NotifyPolicy::default(),
            noon(),
            real(0),
        );
        assert_eq!(d.len(), 1);
        let n = &d[0].notification;
        assert_eq!(n.key, "page:Q1:triggered");
        assert_eq!(n.summary, "Page: Q1 title");
        assert_eq!(n.body, "payments-api — high urgency, assigned to you");
        assert_eq!(n.urgency, NotifyUrgency::Critical);
        assert!(n.sound);
        assert_eq!(
            d[0].marks,
            [Mark {
                key: n.key.clone(),
                incident_id: "Q1".into()
            }]
        );
    }

    #[test]
    fn one_page_table() {
        use Status::*;
        use Urgency::*;
        let quiet = NotifyPolicy {
            quiet_hours: Some(QuietHours {
                start: NaiveTime::from_hms_opt(22, 0, 0).unwrap(),
                end: NaiveTime::from_hms_opt(7, 0, 0).unwrap(),
            }),
            ..NotifyPolicy::default()
        };
        let silent_low = NotifyPolicy {
            low_urgency: LowUrgency::None,
            ..NotifyPolicy::default()
        };
        let no_reminders = NotifyPolicy {
            remind_every: None,
            ..NotifyPolicy::default()
        };
        let night = NaiveTime::from_hms_opt(3, 21, 0).unwrap();
        let d = NotifyPolicy::default();
        // (what, page, policy, local time, real now in minutes, expected key or none, urgency)
        type Case<'a> = (
            &'a str,
            PageView,
            &'a NotifyPolicy,
            NaiveTime,
            i64,
            Option<&'a str>,
            Option<NotifyUrgency>,
        );
        let cases: Vec<Case> = vec![
            (
                "high, mine",
                page("Q1", Triggered, High, true, None),
                &d,
                noon(),
                0,
                Some("page:Q1:triggered"),
                Some(NotifyUrgency::Critical),
            ),
            (
                "not mine",
                page("Q1", Triggered, High, false, None),
                &d,
                noon(),
                0,
                None,
                None,
            ),
            (
                "acknowledged",
                page("Q1", Acknowledged, High, true, None),
                &d,
                noon(),
                0,
                None,
                None,
            ),
            (
                "resolved",
                page("Q1", Resolved, High, true, None),
                &d,
                noon(),
                0,
                None,
                None,
            ),
            (
                "low, quiet by default",
                page("Q1", Triggered, Low, true, None),
                &d,
                noon(),
                0,
                Some("page:Q1:triggered"),
                Some(NotifyUrgency::Low),
            ),
            (
                "low, off by preference",
                page("Q1", Triggered, Low, true, None),
                &silent_low,
                noon(),
                0,
                None,
                None,
            ),
            (
                "low, told once",
                page("Q1", Triggered, Low, true, Some((1, 0))),
                &d,
                noon(),
                60,
                None,
                None,
            ),
            (
                "reminder not yet due",
                page("Q1", Triggered, High, true, Some((1, 0))),
                &d,
                noon(),
                4,
                None,
                None,
            ),
            (
                "first reminder",
                page("Q1", Triggered, High, true, Some((1, 0))),
                &d,
                noon(),
                5,
                Some("page:Q1:reminder:1"),
                Some(NotifyUrgency::Critical),
            ),
            (
                "third reminder",
                page("Q1", Triggered, High, true, Some((3, 10))),
                &d,
                noon(),
                15,
                Some("page:Q1:reminder:3"),
                Some(NotifyUrgency::Critical),
            ),
            (
                "acknowledged stops reminders",
                page("Q1", Acknowledged, High, true, Some((2, 0))),
                &d,
                noon(),
                30,
                None,
                None,
            ),
            (
                "reminders off",
                page("Q1", Triggered, High, true, Some((1, 0))),
                &no_reminders,
                noon(),
                30,
                None,
                None,
            ),
            (
                "quiet hours let high through",
                page("Q1", Triggered, High, true, None),
                &quiet,
                night,
                0,
                Some("page:Q1:triggered"),
                Some(NotifyUrgency::Critical),
            ),
            (
                "quiet hours hold low back",
                page("Q1", Triggered, Low, true, None),
                &quiet,
                night,
                0,
                None,
                None,
            ),
            (
                "quiet hours end at 07:00",
                page("Q1", Triggered, Low, true, None),
                &quiet,
                NaiveTime::from_hms_opt(7, 0, 0).unwrap(),
                0,
                Some("page:Q1:triggered"),
                Some(NotifyUrgency::Low),
            ),
            (
                "quiet hours remind high",
                page("Q1", Triggered, High, true, Some((1, 0))),
                &quiet,
                night,
                5,
                Some("page:Q1:reminder:1"),
                Some(NotifyUrgency::Critical),
            ),
        ];
        for (what, view, policy, local, now, key, urgency) in cases {
            let d = notifications_due(std::slice::from_ref(&view), policy, local, real(now));
            assert_eq!(keys(&d).first().map(String::as_str), key, "{what}");
            assert_eq!(d.first().map(|x| x.notification.urgency), urgency, "{what}");
            assert!(d.len() <= 1, "{what}: {d:?}");
        }
    }

    #[test]
    fn a_batch_gives_one_summary_and_one_per_high_urgency_page() {
        use Status::*;
        use Urgency::*;
        let pages = vec![
            page("Q1", Triggered, High, true, None),
            page("Q2", Triggered, Low, true, None),
            page("Q3", Triggered, High, true, None),
            page("Q4", Triggered, Low, true, None),
            page("Q5", Triggered, High, true, Some((1, 0))), // already rung: a reminder, not a first
            page("Q6", Acknowledged, High, true, None),
        ];
        let d = notifications_due(&pages, &NotifyPolicy::default(), noon(), real(2));
        let k = keys(&d);
        assert_eq!(k.len(), 3, "{k:?}");
        assert!(k[0].starts_with("batch:"));
        assert_eq!(&k[1..], ["page:Q1:triggered", "page:Q3:triggered"]);
        assert_eq!(d[0].notification.summary, "4 new pages (2 high urgency)");
        assert!(d[0].notification.body.contains("Q2 title"));
        // The summary accounts for the low-urgency pages, so they never fire on their own.
        let marked: Vec<&str> = d[0].marks.iter().map(|m| m.key.as_str()).collect();
        assert_eq!(marked[1..], ["page:Q2:triggered", "page:Q4:triggered"]);
        // Every key once.
        let mut all: Vec<&str> = d
            .iter()
            .flat_map(|x| x.marks.iter().map(|m| m.key.as_str()))
            .collect();
        let n = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), n);
        // The same batch gets the same summary key: a restart cannot show it twice.
        let again = notifications_due(&pages, &NotifyPolicy::default(), noon(), real(2));
        assert_eq!(keys(&again)[0], k[0]);
    }

    #[test]
    fn two_new_pages_are_not_a_batch() {
        use Status::*;
        use Urgency::*;
        let pages = vec![
            page("Q1", Triggered, High, true, None),
            page("Q2", Triggered, Low, true, None),
        ];
        let d = notifications_due(&pages, &NotifyPolicy::default(), noon(), real(0));
        assert_eq!(keys(&d), ["page:Q1:triggered", "page:Q2:triggered"]);
    }

    #[test]
    fn body_without_a_service_reads_as_a_sentence() {
        for service in [None, Some(""), Some("  ")] {
            let mut v = page("Q1", Status::Triggered, Urgency::High, true, None);
            v.facts.service = service.map(str::to_owned);
            let d = notifications_due(&[v], &NotifyPolicy::default(), noon(), real(0));
            assert_eq!(d[0].notification.body, "High urgency, assigned to you");
        }
    }

    #[test]
    fn quiet_hours_within_a_day_and_across_midnight() {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
        let day = QuietHours {
            start: t(13, 0),
            end: t(14, 0),
        };
        let night = QuietHours {
            start: t(22, 0),
            end: t(7, 0),
        };
        for (q, at, inside) in [
            (day, t(13, 0), true),
            (day, t(13, 59), true),
            (day, t(14, 0), false),
            (day, t(12, 59), false),
            (night, t(23, 30), true),
            (night, t(0, 0), true),
            (night, t(6, 59), true),
            (night, t(7, 0), false),
            (night, t(21, 59), false),
        ] {
            assert_eq!(q.contains(at), inside, "{q:?} at {at}");
        }
    }

    #[test]
    fn self_alarm_only_while_on_call_and_past_the_threshold() {
        let outage = Outage {
            source_name: "pagerduty".into(),
            vendor: "PagerDuty".into(),
            failing_since: real(0),
            since_local: "05:41".into(),
            error: "timed out".into(),
        };
        let five = Duration::from_secs(300);
        let alarm = |on_call, now| self_alarm(&outage, on_call, real(now), five);
        assert!(alarm(true, 4).is_none());
        assert!(alarm(false, 30).is_none());
        let n = alarm(true, 5).expect("alarm");
        assert_eq!(n.summary, "opsdeck cannot reach PagerDuty since 05:41");
        assert!(n.body.contains("timed out"));
        assert_eq!(n.urgency, NotifyUrgency::Critical);
        // The same outage has one key, however often it is evaluated.
        assert_eq!(alarm(true, 60).unwrap().key, n.key);
    }
}
