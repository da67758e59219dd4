//! Silences planned and carried out through the source against the real Alertmanager: the plan
//! lists exactly the firing alerts the matchers hide, the silence suppresses them on the next
//! poll, and expiring it lets them notify again.

use chrono::Duration;
use opsdeck_domain::{ActionKind, ActionRequest, Risk};
use opsdeck_sources::{ActionContext, Source};
use serde_json::json;

use crate::harness::{fingerprint_of, now, Harness, Poller, ME};

fn request(kind: ActionKind, target: &str, params: &[(&str, &str)]) -> ActionRequest {
    ActionRequest {
        kind,
        target: target.to_string(),
        params: params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

pub fn ctx() -> ActionContext {
    ActionContext {
        now: now(),
        me: Some(ME.to_string()),
    }
}

/// Two firing alerts on one service; only the first is called HighLatency.
pub async fn two_alerts(h: &Harness) {
    let started = (now() - Duration::minutes(5)).to_rfc3339();
    h.post_alerts(json!([
        {"labels": {"alertname": "HighLatency", "service": "payments-api", "severity": "critical"},
         "annotations": {"summary": "p99 above 2s"}, "startsAt": started},
        {"labels": {"alertname": "DiskFull", "service": "payments-api", "severity": "warning"},
         "annotations": {"summary": "disk 95% full"}, "startsAt": started},
    ]))
    .await;
}

#[tokio::test]
async fn a_silence_hides_what_its_plan_listed_and_expiring_it_brings_it_back() {
    let h = Harness::start().await;
    let source = h.source("am-eu");
    two_alerts(&h).await;
    let mut poller = Poller::new(&source);
    let entries = poller.poll().await;
    let latency = fingerprint_of(&entries, "HighLatency");
    let disk = fingerprint_of(&entries, "DiskFull");

    let silence = request(
        ActionKind::AlertmanagerSilence,
        &latency,
        &[
            ("duration", "2h"),
            ("comment", "deploying the fix"),
            ("matchers", r#"alertname="HighLatency""#),
        ],
    );
    let ctx = ctx();
    let effect = source
        .plan_action(&silence, &ctx)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let listed: Vec<&String> = effect
        .details
        .iter()
        .filter(|d| d.starts_with("- "))
        .collect();
    assert_eq!(listed.len(), 1, "{:#?}", effect.details);
    assert!(listed[0].contains(&latency), "{}", listed[0]);
    assert!(
        !effect.details.iter().any(|d| d.contains(&disk)),
        "{:#?}",
        effect.details
    );
    assert!(
        effect
            .summary
            .contains("Silence 1 firing alert on Alertmanager am-eu for 2h"),
        "{}",
        effect.summary
    );
    assert!(effect.summary.contains(ME), "{}", effect.summary);
    assert_eq!(effect.risk, Risk::Medium);
    assert_eq!(effect.target_name, "HighLatency");
    assert_eq!(effect.service.as_deref(), Some("payments-api"));
    assert!(
        effect
            .environment
            .starts_with("Alertmanager am-eu at http://127.0.0.1:"),
        "{}",
        effect.environment
    );
    assert!(
        effect.undo.as_deref().is_some_and(|u| u.contains("expire")),
        "{:?}",
        effect.undo
    );
    assert!(
        effect
            .details
            .contains(&r#"Matchers: alertname="HighLatency""#.to_string()),
        "{:#?}",
        effect.details
    );
    assert!(effect
        .details
        .contains(&"Comment: deploying the fix".to_string()));

    // Matchers that reach further list everything they hide, and say it is riskier.
    let broad = request(
        ActionKind::AlertmanagerSilence,
        &latency,
        &[
            ("comment", "maintenance"),
            ("matchers", r#"service=~"pay.*""#),
        ],
    );
    let effect = source.plan_action(&broad, &ctx).await.expect("plans");
    let listed: Vec<&String> = effect
        .details
        .iter()
        .filter(|d| d.starts_with("- "))
        .collect();
    assert_eq!(listed.len(), 2, "{:#?}", effect.details);
    assert!(
        listed.iter().any(|l| l.contains(&latency)) && listed.iter().any(|l| l.contains(&disk))
    );
    assert_eq!(effect.risk, Risk::High);

    let message = source
        .execute_action(&silence, &ctx)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let silence_id = message
        .split_whitespace()
        .nth(3)
        .expect("the message names the silence")
        .to_string();
    assert!(
        message.contains(&format!("silence {silence_id} created by {ME}")),
        "{message}"
    );

    let entries = poller.poll().await;
    assert_eq!(
        entries.len(),
        1,
        "only the silenced alert changed: {entries:?}"
    );
    let d = &entries[0].details;
    assert_eq!(d["fingerprint"], json!(latency));
    assert_eq!(d["state"], json!("suppressed"));
    let ends = (ctx.now + Duration::hours(2))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    assert_eq!(
        d["silenced_by"],
        json!([{"id": silence_id, "created_by": ME, "comment": "deploying the fix", "ends_at": ends}])
    );

    let expire = request(ActionKind::AlertmanagerExpireSilence, &silence_id, &[]);
    let effect = source.plan_action(&expire, &ctx).await.expect("plans");
    assert!(
        effect.summary.contains(&format!(
            "Expire silence {silence_id} on Alertmanager am-eu"
        )),
        "{}",
        effect.summary
    );
    assert!(
        effect.summary.contains("deploying the fix"),
        "{}",
        effect.summary
    );
    assert!(
        effect
            .details
            .contains(&r#"Matchers: alertname="HighLatency""#.to_string()),
        "{:#?}",
        effect.details
    );
    assert!(effect.details.contains(&format!("Created by: {ME}")));
    let listed: Vec<&String> = effect
        .details
        .iter()
        .filter(|d| d.starts_with("- "))
        .collect();
    assert_eq!(listed.len(), 1, "{:#?}", effect.details);
    assert!(listed[0].contains(&latency));

    let message = source.execute_action(&expire, &ctx).await.expect("expires");
    assert!(
        message.contains(&format!("silence {silence_id} expired")),
        "{message}"
    );
    let entries = poller.poll().await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0].details["state"], json!("active"));
    assert_eq!(entries[0].details["silenced_by"], json!([]));

    // Expiring it twice is refused before Alertmanager is asked to.
    match source.plan_action(&expire, &ctx).await {
        Err(e) => {
            assert!(e.is_bad_input());
            assert!(e.to_string().contains("already expired"), "{e}");
        }
        Ok(effect) => panic!("planned again: {effect:?}"),
    }
    h.check_contract();
}

#[tokio::test]
async fn without_matchers_a_silence_takes_every_label_of_the_alert() {
    let h = Harness::start().await;
    let source = h.source("am");
    two_alerts(&h).await;
    let entries = Poller::new(&source).poll().await;
    let disk = fingerprint_of(&entries, "DiskFull");
    let effect = source
        .plan_action(
            &request(
                ActionKind::AlertmanagerSilence,
                &disk,
                &[("comment", "known")],
            ),
            &ctx(),
        )
        .await
        .expect("plans");
    assert!(
        effect.details.contains(
            &r#"Matchers: alertname="DiskFull", service="payments-api", severity="warning""#
                .to_string()
        ),
        "{:#?}",
        effect.details
    );
    assert_eq!(
        effect
            .details
            .iter()
            .filter(|d| d.starts_with("- "))
            .count(),
        1
    );
    h.check_contract();
}
