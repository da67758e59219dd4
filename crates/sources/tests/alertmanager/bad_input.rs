//! Action requests that cannot be carried out are refused as the user's mistake
//! (`ActionError::Invalid`), saying what to change, before anything changes at Alertmanager.

use opsdeck_domain::{ActionKind, ActionRequest};
use opsdeck_sources::{ActionContext, ActionError, Source, SourceError};

use crate::harness::{fingerprint_of, Harness, Poller};
use crate::silences::{ctx, two_alerts};

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

async fn refusal(source: &dyn Source, request: &ActionRequest, ctx: &ActionContext) -> String {
    match source.plan_action(request, ctx).await {
        Err(ActionError::Invalid(message)) => message,
        Err(other) => panic!("{request:?}: refused, but not as invalid input: {other:?}"),
        Ok(effect) => panic!("{request:?}: planned {effect:?}"),
    }
}

#[tokio::test]
async fn bad_action_input_is_refused_clearly() {
    let h = Harness::start().await;
    let source = h.source("am");
    two_alerts(&h).await;
    let entries = Poller::new(&source).poll().await;
    let latency = fingerprint_of(&entries, "HighLatency");
    let silence = ActionKind::AlertmanagerSilence;
    let ctx = ctx();

    let cases: Vec<(ActionRequest, &str)> = vec![
        (request(silence, &latency, &[]), "needs `comment=…`"),
        (
            request(
                silence,
                &latency,
                &[("comment", "x"), ("matchers", r#"alertname=~"(""#)],
            ),
            "not a valid regular expression",
        ),
        (
            request(
                silence,
                &latency,
                &[("comment", "x"), ("matchers", "alertname")],
            ),
            "expected =, !=, =~ or !~",
        ),
        (
            request(
                silence,
                &latency,
                &[("comment", "x"), ("matchers", r#"alertname="DiskFull""#)],
            ),
            "do not match the alert HighLatency",
        ),
        (
            request(silence, "0123456789abcdef", &[("comment", "x")]),
            "has no firing alert with fingerprint 0123456789abcdef",
        ),
        (
            request(silence, "'; drop", &[("comment", "x")]),
            "is not an alert fingerprint",
        ),
        (
            request(
                ActionKind::AlertmanagerExpireSilence,
                "3f0c2a9d-8e7f-4a6b-9c1d-2e3f4a5b6c7d",
                &[],
            ),
            "has no silence 3f0c2a9d-8e7f-4a6b-9c1d-2e3f4a5b6c7d",
        ),
        (
            request(ActionKind::AlertmanagerExpireSilence, "nope", &[]),
            "is not a silence id",
        ),
    ];
    for (req, says) in &cases {
        let message = refusal(&source, req, &ctx).await;
        assert!(message.contains(says), "{req:?}: {message}");
    }

    // Nobody to name as the silence's creator.
    let anonymous = ActionContext {
        me: None,
        ..ctx.clone()
    };
    let message = refusal(
        &source,
        &request(silence, &latency, &[("comment", "x")]),
        &anonymous,
    )
    .await;
    assert!(message.contains("set `me ="), "{message}");

    // Execution checks the same things: a request that skipped planning changes nothing.
    match source
        .execute_action(&request(silence, &latency, &[]), &ctx)
        .await
    {
        Err(e @ ActionError::Invalid(_)) => assert!(e.is_bad_input()),
        other => panic!("executed without a comment: {other:?}"),
    }
    let silences = h
        .http
        .get(format!("{}/api/v2/silences", h.am.url()))
        .send()
        .await
        .expect("answers")
        .json::<serde_json::Value>()
        .await
        .expect("JSON");
    assert_eq!(silences, serde_json::json!([]), "no silence was created");

    // Another source's kinds are not this one's.
    match source
        .plan_action(&request(ActionKind::PagerdutyAcknowledge, "Q1", &[]), &ctx)
        .await
    {
        Err(ActionError::Unsupported { .. }) => {}
        other => panic!("{other:?}"),
    }
    h.check_contract();
}

#[tokio::test]
async fn alertmanagers_own_refusal_comes_back_with_its_message() {
    let h = Harness::start().await;
    let source = h.source("am");
    two_alerts(&h).await;
    let entries = Poller::new(&source).poll().await;
    let latency = fingerprint_of(&entries, "HighLatency");
    // A quoted name that is not a classic label name: fine by opsdeck's parser (and by
    // Alertmanager releases with UTF-8 label names), refused by older ones.
    let req = request(
        ActionKind::AlertmanagerSilence,
        &latency,
        &[
            ("comment", "x"),
            ("matchers", r#"alertname="HighLatency", "odd.name"!="x""#),
        ],
    );
    let ctx = ctx();
    source.plan_action(&req, &ctx).await.expect("plans");
    match source.execute_action(&req, &ctx).await {
        Err(e @ ActionError::Vendor(SourceError::Rejected { status: 400, .. })) => {
            let text = e.to_string();
            assert!(
                text.contains("Alertmanager refused the request (400)"),
                "{text}"
            );
            assert!(
                text.contains("invalid label name"),
                "Alertmanager's words: {text}"
            );
            assert!(e.is_bad_input());
        }
        Ok(message) => assert!(
            h.version >= (0, 27),
            "Alertmanager {:?} accepted it: {message}",
            h.version
        ),
        Err(other) => panic!("{other:?}"),
    }
    h.check_contract();
}
