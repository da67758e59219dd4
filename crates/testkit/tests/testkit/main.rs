//! The kit against the real servers: start, readiness, stop and restart on the same port, a
//! bad config reported with the server's own words, Prometheus with a rule file.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use opsdeck_testkit::{Alertmanager, Prometheus, TestkitError};

/// A plain HTTP/1.0 GET, so this test needs nothing but std: the status and the body.
fn get(port: u16, path: &str) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.write_all(format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").as_bytes())?;
    let mut text = String::new();
    stream.read_to_string(&mut text)?;
    let status = text
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .unwrap_or_default();
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body))
}

#[test]
fn alertmanager_starts_stops_and_restarts_on_the_same_port() {
    let mut am = Alertmanager::start().unwrap_or_else(|e| panic!("{e}"));
    assert!(am.url().starts_with("http://127.0.0.1:"));
    let (status, body) = get(am.port(), "/api/v2/status").expect("status answers");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"disabled\""), "no cluster: {body}");

    let port = am.port();
    am.stop();
    assert!(!am.is_running());
    assert!(get(port, "/-/ready").is_err(), "stopped means refused");

    am.restart().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(am.port(), port);
    assert!(am.is_running());
    assert_eq!(get(port, "/-/ready").expect("ready again").0, 200);
    assert!(
        am.stderr().contains("Listening on"),
        "stderr is kept: {}",
        am.stderr()
    );
}

#[test]
fn two_alertmanagers_run_side_by_side() {
    let a = Alertmanager::start().unwrap_or_else(|e| panic!("{e}"));
    let b = Alertmanager::start().unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(a.port(), b.port());
    assert_ne!(a.dir(), b.dir());
}

#[test]
fn a_bad_config_fails_with_the_servers_own_message() {
    let err = match Alertmanager::start_with_config("route: [unclosed\n") {
        Ok(_) => panic!("a broken config must not start"),
        Err(e) => e,
    };
    assert!(matches!(err, TestkitError::Exited { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("exited"), "{text}");
    assert!(text.contains("alertmanager.yml"), "names the file: {text}");
}

#[test]
fn the_process_is_killed_on_drop() {
    let am = Alertmanager::start().unwrap_or_else(|e| panic!("{e}"));
    let (port, dir) = (am.port(), am.dir().to_path_buf());
    drop(am);
    assert!(get(port, "/-/ready").is_err(), "dropped means gone");
    assert!(!dir.exists(), "its temporary directory is removed");
}

#[test]
fn prometheus_runs_the_given_rules() {
    let config = "global:\n  evaluation_interval: 1s\n";
    let rules = "groups:\n  - name: always\n    interval: 1s\n    rules:\n      - alert: AlwaysFiring\n        expr: vector(1)\n";
    let prom =
        Prometheus::start(config, &[("always.yml", rules)]).unwrap_or_else(|e| panic!("{e}"));
    let (status, body) = get(prom.port(), "/api/v1/rules").expect("rules answer");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("AlwaysFiring"), "{body}");

    let both = Prometheus::start("rule_files:\n  - x.yml\n", &[("y.yml", rules)]);
    assert!(matches!(both, Err(TestkitError::Usage { .. })));
}

#[test]
fn a_seeded_prometheus_serves_the_series_and_bad_input_says_why() {
    // Three hours of a gauge one sample a minute, 1 everywhere but 5 from 01:00 to 01:30.
    let start = 1_777_852_800_i64; // 2026-05-04T00:00:00Z
    let mut om = String::from("# TYPE load gauge\n");
    for minute in 0..180 {
        let v = if (60..90).contains(&minute) { 5 } else { 1 };
        om.push_str(&format!(
            "load{{service=\"a\"}} {v} {}\n",
            start + minute * 60
        ));
    }
    om.push_str("# EOF\n");
    let prom =
        Prometheus::start_seeded("global: {}\n", &om, None).unwrap_or_else(|e| panic!("{e}"));
    let at = |minute: i64| start + minute * 60;
    let path = format!(
        "/api/v1/query_range?query=load&start={}&end={}&step=1800",
        at(30),
        at(150)
    );
    let (status, body) = get(prom.port(), &path).expect("query_range answers");
    assert_eq!(status, 200, "{body}");
    let values: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    let points: Vec<&str> = values["data"]["result"][0]["values"]
        .as_array()
        .expect("one series")
        .iter()
        .map(|p| p[1].as_str().expect("value"))
        .collect();
    // 00:30, 01:00, 01:30, 02:00, 02:30: the spike is seen at 01:00 only (01:30 is past it).
    assert_eq!(points, ["1", "5", "1", "1", "1"], "{body}");

    let broken = Prometheus::start_seeded("global: {}\n", "load{service=\"a\" 1 2\n# EOF\n", None);
    match broken {
        Err(TestkitError::Tool { output, .. }) => assert!(!output.is_empty()),
        Err(other) => panic!("expected promtool's complaint, got {other}"),
        Ok(_) => panic!("a malformed OpenMetrics file seeded a Prometheus"),
    }
}
