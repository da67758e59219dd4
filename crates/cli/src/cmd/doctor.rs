//! `opsdeck doctor`: is every source reachable and authorised, is the clock right, do desktop
//! notifications reach the user, am I on call? "Before you close the laptop, check paging
//! works": every failing line says what to fix.

use chrono::Utc;
use opsdeck_domain::{Notification, NotifyUrgency};
use opsdeck_engine::{DesktopNotifier, Notifier};

use super::Global;
use crate::exit::Failure;

/// More skew than this between us and a vendor makes since/until windows miss data.
const MAX_SKEW_SECS: i64 = 60;

pub async fn run(global: &Global) -> Result<(), Failure> {
    let cockpit = global.open()?;
    let mut problems = 0;
    println!("config: {}", cockpit.config_path().display());
    if let Some(c) = &cockpit.config().clock {
        println!(
            "clock: simulated, now {} (speed {}×)",
            cockpit.now().to_rfc3339(),
            c.speed
        );
    } else {
        println!("clock: system, now {}", cockpit.now().to_rfc3339());
    }
    println!(
        "timezone: {} (Today is {})",
        cockpit.timezone().name(),
        cockpit.today()
    );

    for r in cockpit.sync_once().await {
        let protection = cockpit
            .config()
            .sources
            .iter()
            .find(|s| s.name() == r.name)
            .map_or("confirm", |s| s.protection.as_str());
        match r.result {
            Ok(_) => println!(
                "source {}: ok (reachable and authorised; actions: {protection})",
                r.name
            ),
            Err(e) => {
                problems += 1;
                println!("source {}: FAILED: {e}", r.name);
                if let Some(hint) = r.hint {
                    println!("  fix: {hint}");
                }
            }
        }
    }
    match cockpit.me() {
        Ok(Some(me)) => println!("me: {me}"),
        Ok(None) => println!(
            "me: unknown (no source says who you are; set `me = \"you@example.com\"` in the config)"
        ),
        Err(e) => println!("me: unknown ({e})"),
    }
    match cockpit.oncall() {
        Ok(summary) => {
            let tz = cockpit.timezone();
            let local =
                |t: chrono::DateTime<Utc>| t.with_timezone(&tz).format("%a %H:%M").to_string();
            match (&summary.current, &summary.next) {
                (Some(c), _) => println!(
                    "on call: yes, {} {}",
                    c.schedule
                        .as_deref()
                        .or(c.escalation_policy.as_deref())
                        .unwrap_or(""),
                    c.end
                        .map(|e| format!("until {}", local(e)))
                        .unwrap_or_default()
                ),
                (None, Some(n)) => println!(
                    "on call: no; next shift {}",
                    n.start.map(local).unwrap_or_default()
                ),
                (None, None) if summary.fetched_at.is_none() => {
                    println!("on call: unknown (no source lists on-call schedules)")
                }
                (None, None) => println!("on call: no shift in the coming week"),
            }
        }
        Err(e) => println!("on call: unknown ({e})"),
    }
    let prefs = &cockpit.config().notifications;
    if !prefs.enabled {
        problems += 1;
        println!(
            "notifications: FAILED: turned off in the config\n  fix: set `enabled = true` under [notifications]"
        );
    } else {
        let reminders = if prefs.remind_every.is_zero() {
            "no reminders".to_string()
        } else {
            format!(
                "reminders every {}",
                humantime::format_duration(prefs.remind_every)
            )
        };
        let quiet = match prefs.quiet_hours {
            Some(q) => {
                let now = cockpit.now().with_timezone(&cockpit.timezone()).time();
                let inside = opsdeck_domain::QuietHours {
                    start: q.start,
                    end: q.end,
                }
                .contains(now);
                format!(
                    "; quiet hours {}–{}{}",
                    q.start.format("%H:%M"),
                    q.end.format("%H:%M"),
                    if inside {
                        " (now: only high urgency)"
                    } else {
                        ""
                    }
                )
            }
            None => String::new(),
        };
        println!("notification policy: high urgency rings, {reminders}{quiet}");
    }
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(5))
        .build()
        .map_err(|e| Failure::failed(format!("cannot build an HTTP client: {e}")))?;
    for s in &cockpit.config().sources {
        let Some(url) = &s.url else { continue };
        match server_date(&client, url).await {
            Some(theirs) => {
                let skew = (theirs - Utc::now()).num_seconds();
                let verdict = if skew.abs() > MAX_SKEW_SECS {
                    problems += 1;
                    "FAILED: fix the system clock (NTP)"
                } else {
                    "ok"
                };
                println!("clock skew vs {}: {skew:+} s ({verdict})", s.name());
            }
            None => println!("clock skew vs {}: unknown (no Date header)", s.name()),
        }
    }
    let test = Notification {
        key: "doctor:test".into(),
        summary: "opsdeck test notification".into(),
        body: "If you can read this, pages will reach you.".into(),
        urgency: NotifyUrgency::Normal,
        sound: true,
        incident_id: String::new(),
        url: None,
    };
    match tokio::task::spawn_blocking(move || DesktopNotifier::default().notify(&test)).await {
        Ok(Ok(())) => println!("notifications: ok (a test notification was sent)"),
        Ok(Err(e)) => {
            problems += 1;
            println!("notifications: FAILED: {e}");
            println!(
                "  fix: start a notification server (your desktop's, or e.g. dunst) on the \
                 session bus; without one, pages will not reach you"
            );
        }
        Err(e) => {
            problems += 1;
            println!("notifications: FAILED: {e}");
        }
    }
    if problems == 0 {
        println!("paging works: sources, clock and notifications are ok");
        Ok(())
    } else {
        Err(Failure::failed(format!(
            "{problems} problem(s) found: fix them before you rely on opsdeck to page you"
        )))
    }
}

async fn server_date(client: &reqwest::Client, url: &str) -> Option<chrono::DateTime<Utc>> {
    let response = client.get(url).send().await.ok()?;
    let date = response
        .headers()
        .get(reqwest::header::DATE)?
        .to_str()
        .ok()?;
    chrono::DateTime::parse_from_rfc2822(date)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}
