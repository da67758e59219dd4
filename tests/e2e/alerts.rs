//! Alerts from the real Alertmanager in the window: hostile label values (markup, event
//! handlers, bidi overrides, emoji, a very long value) render as inert text, and a silence
//! planned from the alert panel and confirmed in the dialog reaches Alertmanager.

use serde_json::{json, Value};

use crate::support::{output_dir, private_env, webdriver::App, webdriver::Launch};

const IMG: &str = "<img src=x onerror=\"window.__pwned='img'\">";
const SCRIPT: &str = "<script>window.__pwned='script'</script>";
const BIDI: &str = "admin\u{202E}gnp.exe";

#[tokio::test(flavor = "multi_thread")]
async fn hostile_labels_render_inert_and_a_silence_reaches_alertmanager() {
    let out = output_dir("hostile_labels_and_a_silence");
    let home = tempfile::tempdir().expect("temp home");
    let am = opsdeck_testkit::Alertmanager::start().expect("Alertmanager starts");
    let long = "x".repeat(2_000);
    let http = reqwest::Client::new();
    let posted = http
        .post(format!("{}/api/v2/alerts", am.url()))
        .json(&json!([{
            "labels": {
                "alertname": "HostileLabels",
                "service": "payments-api",
                "severity": "critical",
                "markup": IMG,
                "script": SCRIPT,
                "bidi": BIDI,
                "emoji": "🔥 on fire",
                "long": long,
            },
            "annotations": {"summary": format!("summary {SCRIPT}")},
            "generatorURL": "javascript:alert(1)",
        }]))
        .send()
        .await
        .expect("Alertmanager answers");
    assert!(posted.status().is_success(), "{:?}", posted.text().await);

    let config = home.path().join("opsdeck.toml");
    std::fs::write(
        &config,
        format!(
            "version = 1\ntimezone = \"UTC\"\nme = \"sam@example.test\"\n\n\
             [[sources]]\nkind = \"alertmanager\"\nname = \"am\"\nurl = \"{}\"\n\n\
             [notifications]\nenabled = false\n",
            am.url()
        ),
    )
    .expect("config written");
    let app = App::launch(
        &out,
        Launch {
            args: vec!["--config".into(), config.display().to_string()],
            env: private_env(home.path()),
        },
    )
    .await;

    let row = "[data-testid=entry][data-kind=alert]";
    let title = app
        .text_of(&format!("{row} [data-testid=entry-title]"))
        .await;
    assert_eq!(title, format!("HostileLabels: summary {SCRIPT}"));
    app.click(&format!("{row} [data-testid=entry-title]")).await;
    let label = |name: &str| format!("[data-testid=alert-labels] dd[data-label={name}]");
    assert_eq!(app.text_of(&label("markup")).await, IMG);
    assert_eq!(app.text_of(&label("script")).await, SCRIPT);
    // The override is shown, not obeyed.
    assert_eq!(app.text_of(&label("bidi")).await, "admin⟨U+202E⟩gnp.exe");
    assert_eq!(app.text_of(&label("emoji")).await, "🔥 on fire");
    assert_eq!(app.text_of(&label("long")).await.len(), 2_000);
    let injected = app
        .execute(
            "const panel = document.querySelector('[data-testid=incident-panel]');\
             return { elements: panel.querySelectorAll('img, script, iframe, object').length,\
                      handlers: panel.querySelectorAll('[onerror], [onload], [onclick]').length,\
                      pwned: window.__pwned ?? null,\
                      link: document.querySelectorAll('[data-testid=panel-open-link]').length };",
            vec![],
        )
        .await;
    assert_eq!(
        injected,
        json!({"elements": 0, "handlers": 0, "pwned": null, "link": 0}),
        "nothing from the labels became markup, and a javascript: URL is no link"
    );
    app.screenshot("hostile-labels.png").await;

    // Silence it from the panel: the dialog lists what the matchers hide, the confirmation
    // creates the silence in Alertmanager, and the next sync shows the alert silenced.
    app.fill("[data-testid=silence-comment]", "noisy test alert")
        .await;
    app.click("[data-testid=action-silence]").await;
    let summary = app.text_of("[data-testid=confirm-summary]").await;
    assert!(summary.contains("ilence"), "{summary}");
    let details = app.text_of("[data-testid=confirm-details]").await;
    assert!(details.contains("HostileLabels"), "{details}");
    app.click("[data-testid=confirm-go]").await;
    app.text_where(
        "[data-testid=confirm-outcome][data-result=succeeded]",
        |t| !t.is_empty(),
    )
    .await;
    app.click("[data-testid=confirm-cancel]").await;
    app.text_where("[data-testid=alert-suppressed]", |t| t.contains("silenced"))
        .await;
    let silence = app.text_of("[data-testid=alert-silence]").await;
    assert!(silence.contains("noisy test alert"), "{silence}");
    app.text_where("[data-testid=related-action][data-status=succeeded]", |t| {
        !t.is_empty()
    })
    .await;
    let silences: Value = http
        .get(format!("{}/api/v2/silences", am.url()))
        .send()
        .await
        .expect("Alertmanager answers")
        .json()
        .await
        .expect("silences decode");
    let active: Vec<&Value> = silences
        .as_array()
        .expect("a list")
        .iter()
        .filter(|s| s["status"]["state"] == "active")
        .collect();
    assert_eq!(active.len(), 1, "{silences}");
    assert_eq!(active[0]["comment"], "noisy test alert");
    assert_eq!(active[0]["createdBy"], "sam@example.test");
    app.screenshot("silenced.png").await;
    app.close().await;
}
