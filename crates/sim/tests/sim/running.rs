//! Running the simulator: the clock moving the world, ports, options, stopping.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use opsdeck_sim::run::{start, SimError, SimOptions, VENDORS};
use opsdeck_sim::scenario::bundled_day;

use crate::harness::{date, start_sim};

fn options(at: &str, speed: f64, port_base: Option<u16>) -> SimOptions {
    let scenario = bundled_day();
    let at = scenario.parse_time(at).expect("time");
    SimOptions {
        scenario: Arc::new(scenario),
        date: date(),
        at,
        speed,
        port_base,
    }
}

#[tokio::test]
async fn a_fast_clock_moves_the_world_forward() {
    // 600×: the 05:47 page is 4.7 s away, its acknowledgement 5.2 s — enough margin that the
    // first request sees an empty list even on a loaded machine.
    let sim = start_sim(bundled_day(), "05:00", 600.0).await;
    let before = sim.ok("/incidents").await;
    assert_eq!(before["incidents"], serde_json::json!([]), "{before}");
    let acked = sim
        .wait_for("/incidents", Duration::from_secs(20), |body| {
            body["incidents"][0]["status"] == "acknowledged"
        })
        .await;
    assert_eq!(acked["incidents"][0]["id"], "Q0PAY0001");
    // The times are the scenario's, whatever the speed.
    assert_eq!(
        acked["incidents"][0]["last_status_change_at"],
        "2026-05-04T05:52:00Z"
    );
    let now = sim.running.now();
    assert!(now > sim.running.clock.simulated_at, "{now}");
    sim.finish().await;
}

#[tokio::test]
async fn a_frozen_clock_stays_put_and_events_before_at_have_happened() {
    let sim = start_sim(bundled_day(), "05:52", 0.0).await;
    // The event at exactly `at` has happened too.
    let body = sim.ok("/incidents").await;
    assert_eq!(body["incidents"][0]["status"], "acknowledged");
    assert_eq!(sim.running.now(), sim.running.clock.simulated_at);
    assert_eq!(sim.running.clock.speed, 0.0);
    let world = sim.running.world.lock().expect("world").events_applied();
    assert_eq!(world, 4, "two alerts, the page and its acknowledgement");
    sim.finish().await;
}

#[tokio::test]
async fn endpoints_are_loopback_urls_per_vendor() {
    let sim = start_sim(bundled_day(), "06:00", 0.0).await;
    let names: Vec<&str> = sim.running.endpoints.keys().map(String::as_str).collect();
    // The fixed vendors, and one Kubernetes API per cluster context.
    let mut vendors: Vec<String> = VENDORS.iter().map(|v| v.to_string()).collect();
    vendors.push("kubernetes/prod-eu".into());
    vendors.sort_unstable();
    assert_eq!(names, vendors);
    let url = sim.running.url("pagerduty").expect("pagerduty");
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert_eq!(sim.running.pagerduty.url(), url);
    sim.ok("/users/me").await;
    sim.finish().await;
}

#[tokio::test]
async fn a_port_base_is_used_in_vendor_order_and_a_taken_port_fails() {
    let taken = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let err = match start(options("06:00", 0.0, Some(port))).await {
        Ok(_) => panic!("port {port} is taken"),
        Err(e) => e,
    };
    assert!(matches!(&err, SimError::Bind { vendor, .. } if vendor == "pagerduty"));
    assert_eq!(VENDORS, ["pagerduty", "alertmanager", "grafana", "github"]);
    assert!(err.to_string().contains(&port.to_string()), "{err}");

    // Free the port and start on it.
    drop(taken);
    let running = start(options("06:00", 0.0, Some(port)))
        .await
        .expect("starts on the freed port");
    assert_eq!(
        running.url("pagerduty"),
        Some(format!("http://127.0.0.1:{port}").as_str())
    );
    assert_eq!(
        running.url("alertmanager"),
        Some(format!("http://127.0.0.1:{}", port + 1).as_str())
    );
    // Contexts come after the fixed vendors and the port kept for the day's Prometheus.
    assert_eq!(
        running.url("kubernetes/prod-eu"),
        Some(format!("http://127.0.0.1:{}", port + VENDORS.len() as u16 + 1).as_str())
    );
    assert_eq!(
        running.url("grafana"),
        Some(format!("http://127.0.0.1:{}", port + 2).as_str())
    );
    assert_eq!(
        running.grafana.url(),
        format!("http://127.0.0.1:{}", port + 2)
    );
    assert_eq!(
        running.github.url(),
        format!("http://127.0.0.1:{}", port + 3)
    );
    assert_eq!(running.url("github"), Some(running.github.url()));
    running.stop().await;
}

#[tokio::test]
async fn nonsense_speeds_are_refused() {
    for speed in [-1.0, f64::NAN, f64::INFINITY] {
        let err = match start(options("06:00", speed, None)).await {
            Ok(_) => panic!("speed {speed} accepted"),
            Err(e) => e,
        };
        assert!(matches!(err, SimError::Speed(_)), "{err}");
    }
}
