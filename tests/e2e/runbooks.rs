//! Runbooks in the window: the pool alert links to the shipped `connection-pool` runbook; a
//! checklist started from the alert is ticked and its scale step runs through the confirmation
//! dialog, the outcome written on the step; a hostile runbook on the same service renders
//! inert in the DOM; the library is searched and a standalone checklist started from it.

use serde_json::json;

use crate::support::sim::Sim;
use crate::support::{output_dir, private_env, webdriver::App, webdriver::Launch};

const HOSTILE: &str =
    "---\nservices: [payments-api]\n---\n# Hostile <script>window.__pwned='script'</script>\n\n\
<img src=x onerror=\"window.__pwned='img'\"><iframe src=\"https://evil.example\"></iframe>\n\n\
- [ ] click [here](javascript:window.__pwned='link')\n";

#[tokio::test(flavor = "multi_thread")]
async fn a_checklist_runs_its_scale_step_and_hostile_runbooks_stay_inert() {
    let out = output_dir("a_checklist_runs_its_scale_step");
    let home = tempfile::tempdir().expect("temp home");
    let sim = Sim::start(&out, &["--at", "05:50", "--speed", "0"]);
    // `opsdeck sim` wrote the day's runbooks beside its config; one more joins them.
    std::fs::write(
        sim.config.with_extension("runbooks").join("hostile.md"),
        HOSTILE,
    )
    .expect("hostile runbook written");
    let app = App::launch(
        &out,
        Launch {
            args: vec!["--config".into(), sim.config.display().to_string()],
            env: private_env(home.path()),
        },
    )
    .await;

    app.click_where(
        "[data-testid=entry][data-kind=alert] [data-testid=entry-title]",
        |t| t.starts_with("DBConnectionPoolExhausted"),
    )
    .await;
    let linked = app
        .text_of("[data-testid=linked-runbook][data-slug=connection-pool]")
        .await;
    assert!(
        linked.contains("named by the alert's runbook URL"),
        "{linked}"
    );
    app.click("[data-testid=linked-runbook][data-slug=connection-pool] [data-testid=start-run]")
        .await;
    app.text_where("[data-testid=run-progress]", |t| t == "0 of 6 done")
        .await;
    app.click("[data-testid=run-step][data-step-row='0'] [data-testid=step-check]")
        .await;
    app.text_where("[data-testid=run-progress]", |t| t == "1 of 6 done")
        .await;

    // The scale step's action, filled from the alert's service, through the dialog.
    app.click_where("[data-testid=run-step-action]", |_| true)
        .await;
    let summary = app.text_of("[data-testid=confirm-summary]").await;
    assert_eq!(
        summary,
        "Scale deployment payments/payments-api: 3 → 6 replicas"
    );
    app.click("[data-testid=confirm-go]").await;
    app.text_where(
        "[data-testid=confirm-outcome][data-result=succeeded]",
        |t| !t.is_empty(),
    )
    .await;
    app.click("[data-testid=confirm-cancel]").await;
    let result = app
        .text_where("[data-testid=step-action-result]", |t| t.starts_with('✓'))
        .await;
    assert!(result.contains("scaled to 6"), "{result}");
    app.text_where("[data-testid=run-progress]", |t| t == "2 of 6 done")
        .await;
    app.screenshot("checklist.png").await;

    // The hostile runbook links to the same service: start it and look at it as written.
    app.click("[data-testid=linked-runbook][data-slug=hostile] [data-testid=start-run]")
        .await;
    app.text_where("[data-testid=run-progress]", |t| t == "0 of 1 done")
        .await;
    let inert = app
        .execute(
            "document.querySelectorAll('.runbook-html').forEach(d => d.closest('details').open = true);\
             const html = [...document.querySelectorAll('.runbook-html')];\
             return { scripts: html.reduce((n, d) => n + d.querySelectorAll('script, iframe, img, style').length, 0),\
                      handlers: html.reduce((n, d) => n + d.querySelectorAll('[onerror], [onclick], [onload]').length, 0),\
                      js: html.reduce((n, d) => n + [...d.querySelectorAll('a')].filter(a => (a.getAttribute('href') || '').startsWith('javascript')).length, 0),\
                      pwned: window.__pwned ?? null };",
            vec![],
        )
        .await;
    assert_eq!(
        inert,
        json!({"scripts": 0, "handlers": 0, "js": 0, "pwned": null})
    );

    // The library: searched, a runbook read as written, a standalone checklist started.
    app.click("[data-testid=nav-runbooks]").await;
    app.fill("[data-testid=runbook-search]", "dbhigh").await;
    app.text_where("[data-testid=runbook-library]", |t| {
        t.contains("Database performance") && !t.contains("Database connection pool exhausted")
    })
    .await;
    assert_eq!(app.count("[data-testid=library-runbook]").await, 1);
    app.click("[data-testid=library-runbook][data-slug=db-performance] button")
        .await;
    app.text_where("[data-testid=library-html]", |t| {
        t.contains("Find the load")
    })
    .await;
    app.click("[data-testid=runbook-library] [data-testid=start-run]")
        .await;
    app.text_where("[data-testid=run-progress]", |t| t == "0 of 8 done")
        .await;
    app.screenshot("library.png").await;
    let after = app
        .execute(
            "return { query: document.querySelector('[data-testid=runbook-search]').value,\
                      shown: document.querySelectorAll('[data-testid=library-runbook]').length,\
                      progress: document.querySelector('[data-testid=run-progress]')?.textContent ?? null };",
            vec![],
        )
        .await;
    assert_eq!(
        after,
        json!({"query": "dbhigh", "shown": 1, "progress": "0 of 8 done"}),
        "the view keeps its state"
    );
    app.close().await;
}
