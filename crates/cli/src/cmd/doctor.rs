//! `opsdeck doctor`: is every source reachable and authorised, is the clock right, do desktop
//! notifications reach the user?

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
        match r.result {
            Ok(_) => println!("source {}: ok (reachable and authorised)", r.name),
            Err(e) => {
                problems += 1;
                println!("source {}: FAILED: {e}", r.name);
            }
        }
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
        }
        Err(e) => {
            problems += 1;
            println!("notifications: FAILED: {e}");
        }
    }
    if problems == 0 {
        Ok(())
    } else {
        Err(Failure::failed(format!("{problems} problem(s) found")))
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
