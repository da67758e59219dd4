//! CI in the window: the day's failed run on main shows its failed job and step, and "Re-run
//! failed jobs" from its panel, confirmed in the dialog, reaches the simulated GitHub and comes
//! back on the timeline as running again.

use crate::support::sim::Sim;
use crate::support::{output_dir, private_env, webdriver::App, webdriver::Launch};

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_run_is_rerun_from_its_panel() {
    let out = output_dir("a_failed_run_is_rerun_from_its_panel");
    let home = tempfile::tempdir().expect("temp home");
    // 16:10, frozen: run 9011 failed on main at 16:05.
    let sim = Sim::start(&out, &["--at", "16:10", "--speed", "0"]);
    let app = App::launch(
        &out,
        Launch {
            args: vec!["--config".into(), sim.config.display().to_string()],
            env: private_env(home.path()),
        },
    )
    .await;

    let failed = "[data-testid=entry][data-kind=ci_run][data-status=failure]";
    let title = app
        .text_of(&format!("{failed} [data-testid=entry-title]"))
        .await;
    assert!(
        title.contains("Add payment latency and pool metrics") && title.contains("failed at"),
        "{title}"
    );
    app.click(&format!("{failed} [data-testid=entry-title]"))
        .await;
    let jobs = app.text_of("[data-testid=ci-failed-jobs]").await;
    assert!(
        jobs.contains("test") && jobs.contains("Run tests"),
        "{jobs}"
    );
    app.screenshot("failed-run.png").await;

    app.click("[data-testid=action-rerun-failed]").await;
    let summary = app.text_of("[data-testid=confirm-summary]").await;
    assert!(
        summary.starts_with("Re-run the failed jobs of ci #"),
        "{summary}"
    );
    let environment = app.text_of("[data-testid=confirm-environment]").await;
    assert_eq!(environment, "GitHub repository acme/payments-api");
    app.click("[data-testid=confirm-go]").await;
    app.text_where(
        "[data-testid=confirm-outcome][data-result=succeeded]",
        |t| !t.is_empty(),
    )
    .await;
    app.click("[data-testid=confirm-cancel]").await;
    let running = app
        .text_where(
            "[data-testid=entry][data-kind=ci_run][data-status=in_progress] [data-testid=entry-title]",
            |t| t.contains("Add payment latency and pool metrics"),
        )
        .await;
    assert!(
        !running.contains("failed at"),
        "the new attempt has not failed: {running}"
    );
    app.screenshot("rerun.png").await;
    app.close().await;
}
