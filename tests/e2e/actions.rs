//! Acting on a page from the window: the incident panel, the confirmation dialog (focus on
//! Cancel, the plan stated, the outcome shown), the on-call header — and the backend refusing
//! forged and replayed confirmations sent straight over IPC, whatever the UI does.

use serde_json::{json, Value};

use crate::support::sim::Sim;
use crate::support::{output_dir, private_env, webdriver::App, webdriver::Launch};

/// Calls a command the way the UI's @tauri-apps/api does, from inside the webview, and returns
/// `{ok: value}` or `{err: {code, message}}`.
const INVOKE: &str = "const [cmd, args] = arguments; \
    return window.__TAURI_INTERNALS__.invoke(cmd, args).then(ok => ({ ok }), err => ({ err }));";

async fn invoke(app: &App, cmd: &str, args: Value) -> Value {
    app.execute(INVOKE, vec![json!(cmd), args]).await
}

#[tokio::test(flavor = "multi_thread")]
async fn acknowledge_from_the_incident_panel_and_forged_tokens_refused() {
    let out = output_dir("acknowledge_from_the_incident_panel");
    let home = tempfile::tempdir().expect("temp home");
    // 05:48, frozen: Q0PAY0001 was triggered a minute ago, and Sam is on call.
    let sim = Sim::start(&out, &["--at", "05:48", "--speed", "0"]);
    let app = App::launch(
        &out,
        Launch {
            args: vec!["--config".into(), sim.config.display().to_string()],
            env: private_env(home.path()),
        },
    )
    .await;

    let header = app
        .text_where("[data-testid=oncall]", |t| t.starts_with("on call:"))
        .await;
    assert!(
        header.starts_with("on call: Sam Okafor (Payments Primary) until "),
        "{header}"
    );

    let row = "[data-testid=entry][data-kind=page]";
    app.text_where(&format!("{row} [data-testid=entry-status]"), |t| {
        t == "triggered"
    })
    .await;
    app.click(&format!("{row} [data-testid=entry-title]")).await;
    assert_eq!(app.text_of("[data-testid=incident-id]").await, "Q0PAY0001");

    app.click("[data-testid=action-acknowledge]").await;
    let summary = app.text_of("[data-testid=confirm-summary]").await;
    assert!(
        summary.starts_with("Acknowledge PagerDuty incident Q0PAY0001"),
        "{summary}"
    );
    let environment = app.text_of("[data-testid=confirm-environment]").await;
    assert!(environment.contains("payments-api"), "{environment}");
    let focused = app
        .execute(
            "return document.activeElement && document.activeElement.dataset.testid;",
            vec![],
        )
        .await;
    assert_eq!(focused, json!("confirm-cancel"), "focus starts on Cancel");
    app.screenshot("confirm-dialog.png").await;

    app.click("[data-testid=confirm-go]").await;
    let outcome = app
        .text_where("[data-testid=confirm-outcome]", |t| !t.is_empty())
        .await;
    assert!(outcome.contains("acknowledged"), "{outcome}");
    assert_eq!(
        app.count("[data-testid=confirm-outcome][data-result=succeeded]")
            .await,
        1
    );
    app.click("[data-testid=confirm-cancel]").await;
    app.text_where(&format!("{row} [data-testid=entry-status]"), |t| {
        t == "acknowledged"
    })
    .await;
    app.text_where("[data-testid=related-action][data-status=succeeded]", |t| {
        !t.is_empty()
    })
    .await;
    app.screenshot("acknowledged.png").await;

    // The backend, not the dialog, guards execution: a forged token over IPC is refused.
    let forged = invoke(
        &app,
        "confirm_action",
        json!({"token": "odk_forged", "typed": null}),
    )
    .await;
    assert_eq!(forged["err"]["code"], "refused", "{forged}");
    assert!(
        forged["err"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("unknown confirmation token")),
        "{forged}"
    );

    // A real plan's token works once; the replay is refused.
    let plan = invoke(
        &app,
        "plan_action",
        json!({"request": {"kind": "pagerduty.note", "target": "Q0PAY0001",
                           "params": {"text": "checked the pool from opsdeck"}}}),
    )
    .await;
    let token = plan["ok"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("no token in {plan}"))
        .to_string();
    let first = invoke(
        &app,
        "confirm_action",
        json!({"token": token, "typed": null}),
    )
    .await;
    assert_eq!(first["ok"]["result"], "succeeded", "{first}");
    let replay = invoke(
        &app,
        "confirm_action",
        json!({"token": token, "typed": null}),
    )
    .await;
    assert_eq!(replay["err"]["code"], "refused", "{replay}");
    assert!(
        replay["err"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("already used")),
        "{replay}"
    );
    app.text_where("[data-testid=incident-note]", |t| {
        t.contains("checked the pool from opsdeck")
    })
    .await;
    app.close().await;
}
