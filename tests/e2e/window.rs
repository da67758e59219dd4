//! The real window, from launch to what the engineer sees.

use crate::support::{output_dir, webdriver::App, webdriver::Launch};

#[tokio::test(flavor = "multi_thread")]
async fn first_run_without_config() {
    let out = output_dir("first_run_without_config");
    let home = tempfile::tempdir().expect("temp home");
    // A user with no opsdeck config: the app must offer the demo, not start it by itself.
    let app = App::launch(
        &out,
        Launch {
            args: vec![],
            env: vec![
                ("HOME", home.path().display().to_string()),
                (
                    "XDG_CONFIG_HOME",
                    home.path().join("config").display().to_string(),
                ),
                (
                    "XDG_DATA_HOME",
                    home.path().join("data").display().to_string(),
                ),
            ],
        },
    )
    .await;
    let heading = app.text_of("[data-testid=first-run] h1").await;
    assert_eq!(heading, "Welcome to opsdeck");
    let button = app.text_of("[data-testid=start-demo]").await;
    assert_eq!(button, "Start the demo");
    let shot = app.screenshot("first-run.png").await;
    assert!(std::fs::metadata(&shot)
        .map(|m| m.len() > 1000)
        .unwrap_or(false));
    // No timeline or DEMO banner may be on screen before the user asks for the demo.
    let timeline = app
        .client
        .find_all(fantoccini::Locator::Css(
            "[data-testid=timeline], [data-testid=demo-banner]",
        ))
        .await;
    assert_eq!(timeline.map(|v| v.len()).unwrap_or(usize::MAX), 0);
    app.close().await;
}
