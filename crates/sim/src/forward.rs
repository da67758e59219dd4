//! The scenario's `via: prometheus` alerts posted to a real Alertmanager, as Prometheus posts
//! them: every firing alert again every few seconds with `endsAt` a few minutes ahead (on the
//! real clock, which that Alertmanager keeps), and a resolved one once more with `endsAt` now.
//! So `opsdeck sim --alertmanager URL` drives a real server, and opsdeck reads it there.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{SecondsFormat, TimeDelta, Utc};
use serde_json::{json, Value};
use tokio::sync::watch;

use crate::alertmanager::routes::generator_url;
use crate::live::LiveWorld;
use crate::scenario::AlertVia;

/// How often the alerts are sent again (Prometheus' default resend delay is a minute; the
/// demo's clock runs fast, so sooner).
pub const RESEND: Duration = Duration::from_secs(5);
/// How far ahead of the real now a firing alert's `endsAt` is set.
const HORIZON: TimeDelta = TimeDelta::minutes(4);

/// The body of one `POST /api/v2/alerts`: what fires now, and what resolved since `sent`
/// (fingerprint@start → labels), which is updated to what fires now.
pub fn round(live: &LiveWorld, sent: &mut BTreeMap<String, Value>) -> Vec<Value> {
    let real_now = Utc::now();
    let world = live.advance();
    let mut body = Vec::new();
    let mut firing = BTreeMap::new();
    for o in world.alerts().occurrences() {
        if o.via != AlertVia::Prometheus {
            continue;
        }
        let key = format!("{}@{}", o.fingerprint, o.starts_at.timestamp());
        let ends_at = match o.ends_at {
            None => real_now + HORIZON,
            Some(_) if sent.contains_key(&key) => real_now,
            Some(_) => continue,
        };
        let alert = json!({
            "labels": o.labels,
            "annotations": o.annotations,
            "startsAt": o.starts_at.to_rfc3339_opts(SecondsFormat::Millis, true),
            "endsAt": ends_at.to_rfc3339_opts(SecondsFormat::Millis, true),
            "generatorURL": generator_url(&o.identity.name),
        });
        if o.ends_at.is_none() {
            firing.insert(key, alert.clone());
        }
        body.push(alert);
    }
    *sent = firing;
    body
}

/// Posts [`round`]s to `url` every [`RESEND`] until `stopping`; a failed post is logged and
/// the next round sends everything again.
pub async fn run(live: LiveWorld, url: String, mut stopping: watch::Receiver<bool>) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap_or_default();
    let endpoint = format!("{}/api/v2/alerts", url.trim_end_matches('/'));
    let mut sent = BTreeMap::new();
    let mut failing = false;
    let mut interval = tokio::time::interval(RESEND);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            _ = interval.tick() => {}
            _ = stopping.wait_for(|stop| *stop) => break,
        }
        let mut next = sent.clone();
        let body = round(&live, &mut next);
        if body.is_empty() {
            sent = next;
            continue;
        }
        match client.post(&endpoint).json(&body).send().await {
            Ok(r) if r.status().is_success() => {
                if failing {
                    tracing::info!(target: "opsdeck_sim", "posting alerts to {endpoint} works again");
                }
                failing = false;
                sent = next;
            }
            outcome => {
                let why = match outcome {
                    Ok(r) => format!("it answered {}", r.status()),
                    Err(e) => e.to_string(),
                };
                if !failing {
                    tracing::warn!(target: "opsdeck_sim", "cannot post alerts to {endpoint}: {why}; retrying every {RESEND:?}");
                }
                failing = true;
            }
        }
    }
}
