//! The real window, from launch to what the engineer sees.

use crate::support::sim::Sim;
use crate::support::{output_dir, webdriver::App, webdriver::Launch};

fn private_home(home: &std::path::Path) -> Vec<(&'static str, String)> {
    vec![
        ("HOME", home.display().to_string()),
        ("XDG_CONFIG_HOME", home.join("config").display().to_string()),
        ("XDG_DATA_HOME", home.join("data").display().to_string()),
    ]
}

/// A user with no opsdeck config gets the first-run screen, never simulated pages on their
/// own; asking for the demo then shows the bundled day under a DEMO banner.
#[tokio::test(flavor = "multi_thread")]
async fn first_run_without_config_then_demo() {
    let out = output_dir("first_run_without_config_then_demo");
    let home = tempfile::tempdir().expect("temp home");
    let app = App::launch(
        &out,
        Launch {
            args: vec![],
            env: private_home(home.path()),
        },
    )
    .await;
    assert_eq!(
        app.text_of("[data-testid=first-run] h1").await,
        "Welcome to opsdeck"
    );
    assert_eq!(
        app.text_of("[data-testid=start-demo]").await,
        "Start the demo"
    );
    app.screenshot("first-run.png").await;
    let early = app
        .count("[data-testid=timeline], [data-testid=demo-banner]")
        .await;
    assert_eq!(
        early, 0,
        "no timeline or DEMO banner before the user asks for the demo"
    );

    app.click("[data-testid=start-demo]").await;
    assert_eq!(app.text_of("[data-testid=demo-banner]").await, "DEMO");
    // At 30× from 05:40 the 05:47 page arrives after about 14 s of real time.
    let title = app
        .text_of("[data-testid=entry][data-kind=page] [data-testid=entry-title]")
        .await;
    assert!(title.starts_with("API response time critical"), "{title}");
    app.screenshot("demo.png").await;
    app.close().await;
}

/// The live path: `opsdeck sim` frozen at 06:00 on the bundled day, the app launched with the
/// config the simulator wrote, the page on Today's timeline, every source healthy, and the
/// page's vitals drawn from the day's Prometheus, its service's workloads from the simulated
/// cluster (a pod's log, a scale that comes back over the watch).
#[tokio::test(flavor = "multi_thread")]
async fn live_timeline_from_the_simulator() {
    let out = output_dir("live_timeline_from_the_simulator");
    let home = tempfile::tempdir().expect("temp home");
    let sim = Sim::start(&out, &["--at", "06:00", "--speed", "0"]);
    assert_eq!(
        sim.ready["now"].as_str().map(|n| n.ends_with("T06:00:00Z")),
        Some(true),
        "{}",
        sim.ready
    );
    let app = App::launch(
        &out,
        Launch {
            args: vec!["--config".into(), sim.config.display().to_string()],
            env: private_home(home.path()),
        },
    )
    .await;
    let row = "[data-testid=entry][data-kind=page]";
    let title = app
        .text_of(&format!("{row} [data-testid=entry-title]"))
        .await;
    assert_eq!(
        title,
        "API response time critical: 40% of API calls time out"
    );
    assert_eq!(
        app.text_of(&format!("{row} [data-testid=entry-service]"))
            .await,
        "payments-api"
    );
    assert_eq!(
        app.text_of(&format!("{row} [data-testid=entry-status]"))
            .await,
        "acknowledged"
    );
    assert_eq!(app.text_of(&format!("{row} time")).await, "05:47");
    let health = app
        .text_of("[data-testid=health-strip] [data-source=pagerduty][data-state=ok] .state")
        .await;
    assert_eq!(health, "ok");
    // Every source the simulator serves is configured, Prometheus included when installed.
    for source in ["alertmanager", "grafana", "prometheus"] {
        app.text_of(&format!(
            "[data-testid=health-strip] [data-source={source}][data-state=ok] .state"
        ))
        .await;
    }
    app.screenshot("live-timeline.png").await;

    // The page's panel shows payments-api's vitals from the day's Prometheus: errors high
    // since the 05:30 alert, and the SLO's budget overspent.
    app.click(&format!("{row} [data-testid=entry-title]")).await;
    let errors = app
        .text_where(
            "[data-testid=vitals] [data-testid=vital][data-name=error_rate] [data-testid=vital-latest]",
            |t| t.ends_with('%'),
        )
        .await;
    let percent: f64 = errors
        .trim_end_matches('%')
        .trim()
        .parse()
        .unwrap_or_else(|e| panic!("{errors:?}: {e}"));
    assert!(percent > 20.0, "error rate at 06:00: {errors}");
    assert_eq!(
        app.count("[data-testid=vitals] [data-testid=vital] svg polyline")
            .await,
        3
    );
    let budget = app.text_of("[data-testid=slo-budget]").await;
    assert!(budget.contains("exhausted"), "{budget}");
    app.execute(
        "document.querySelector('[data-testid=vitals]').scrollIntoView()",
        Vec::new(),
    )
    .await;
    app.screenshot("live-vitals.png").await;

    // The same panel shows payments-api's Deployment in prod-eu as the watchers see it; a
    // pod's log is read on demand; scaling 3 → 6 from the panel comes back over the watch.
    let workload = "[data-testid=workloads] [data-testid=workload][data-target='prod-eu/payments/payments-api']";
    let replicas = app
        .text_of(&format!("{workload} [data-testid=workload-replicas]"))
        .await;
    assert!(replicas.starts_with("3/3 ready"), "{replicas}");
    app.click(&format!("{workload} [data-testid=pod-logs-button]"))
        .await;
    let log = app
        .text_where(&format!("{workload} [data-testid=pod-log-lines]"), |t| {
            !t.is_empty()
        })
        .await;
    assert!(
        log.lines().all(|l| l.contains(" payments-api 1.41.0 ")),
        "{log}"
    );
    app.fill(&format!("{workload} [data-testid=scale-input]"), "6")
        .await;
    app.click(&format!("{workload} [data-testid=action-scale]"))
        .await;
    let summary = app.text_of("[data-testid=confirm-summary]").await;
    assert!(summary.contains("3 → 6"), "{summary}");
    let environment = app.text_of("[data-testid=confirm-environment]").await;
    assert!(
        environment.contains("prod-eu") && environment.contains("payments"),
        "{environment}"
    );
    app.click("[data-testid=confirm-go]").await;
    app.text_where(
        "[data-testid=confirm-outcome][data-result=succeeded]",
        |t| !t.is_empty(),
    )
    .await;
    app.click("[data-testid=confirm-cancel]").await;
    app.text_where(
        &format!("{workload} [data-testid=workload-replicas]"),
        |t| t.starts_with("6/6 ready"),
    )
    .await;
    app.screenshot("live-workloads.png").await;
    app.close().await;
}
