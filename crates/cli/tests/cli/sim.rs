//! `opsdeck sim`: the ready line, the written config, `--port-base`, and stopping on SIGTERM.

use crate::support::{free_port, Sandbox, Sim, SimArgs};

#[test]
fn sim_prints_ready_line_and_writes_a_working_config() {
    let sandbox = Sandbox::new();
    let sim = Sim::frozen(&sandbox, "06:00");

    let ready = sim.ready.as_object().expect("ready line is a JSON object");
    let mut keys: Vec<&str> = ready.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["config", "endpoints", "kubeconfig", "now"],
        "ready line: {}",
        sim.ready
    );
    // `--at 06:00` on the replayed date in the scenario's zone (UTC), frozen by `--speed 0`.
    assert_eq!(ready["now"], "2026-11-22T06:00:00Z");
    assert_eq!(
        ready["config"].as_str(),
        Some(sim.config.to_str().expect("utf-8 path"))
    );

    let pagerduty = ready["endpoints"]["pagerduty"]
        .as_str()
        .expect("a pagerduty endpoint");
    let url = pagerduty
        .strip_prefix("http://127.0.0.1:")
        .unwrap_or_else(|| panic!("pagerduty is not on loopback: {pagerduty}"));
    url.trim_end_matches('/')
        .parse::<u16>()
        .unwrap_or_else(|e| panic!("no port in {pagerduty}: {e}"));

    // A kubeconfig for the simulated clusters, beside the config, pointing at their servers.
    let kubeconfig_path = ready["kubeconfig"]
        .as_str()
        .unwrap_or_else(|| panic!("no kubeconfig in {}", sim.ready));
    let kubeconfig: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(kubeconfig_path).expect("the kubeconfig was written"),
    )
    .expect("JSON, which is YAML too");
    assert_eq!(kubeconfig["current-context"], "prod-eu");
    assert_eq!(
        kubeconfig["clusters"][0]["cluster"]["server"],
        ready["endpoints"]["kubernetes/prod-eu"]
    );
    assert_eq!(kubeconfig["contexts"][0]["context"]["cluster"], "prod-eu");

    // The config must exist by the time the line is printed (it is written first, atomically).
    let text = std::fs::read_to_string(&sim.config).expect("the config was written");
    let config: toml::Table = text
        .parse()
        .unwrap_or_else(|e| panic!("config is not TOML ({e}):\n{text}"));
    assert_eq!(config["version"].as_integer(), Some(1));
    assert!(
        config.contains_key("clock"),
        "a simulator config carries its clock:\n{text}"
    );
    let sources = config["sources"].as_array().expect("[[sources]]");
    let pd = sources
        .iter()
        .find(|s| s["kind"].as_str() == Some("pagerduty"))
        .unwrap_or_else(|| panic!("no pagerduty source in:\n{text}"));
    assert_eq!(
        pd["url"].as_str().map(|u| u.trim_end_matches('/')),
        Some(pagerduty.trim_end_matches('/'))
    );
    // Exactly the sources the simulator serves that opsdeck can read.
    let endpoints = ready["endpoints"].as_object().expect("endpoints");
    let mut readable: Vec<&str> = endpoints
        .keys()
        .map(String::as_str)
        .filter(|vendor| {
            // `kubernetes/<context>`: one server, and one source, per cluster context.
            let kind = vendor.split('/').next().unwrap_or_default();
            kind.parse().is_ok_and(opsdeck_engine::registry::supports)
        })
        .collect();
    let mut configured: Vec<&str> = sources
        .iter()
        .filter_map(|s| s.get("name").unwrap_or(&s["kind"]).as_str())
        .collect();
    readable.sort_unstable();
    configured.sort_unstable();
    assert_eq!(configured, readable, "config:\n{text}");
    let k8s = sources
        .iter()
        .find(|s| s["kind"].as_str() == Some("kubernetes"))
        .unwrap_or_else(|| panic!("no kubernetes source in:\n{text}"));
    assert_eq!(k8s["context"].as_str(), Some("prod-eu"));
    assert_eq!(
        k8s["kubeconfig"].as_str(),
        Some(kubeconfig_path),
        "the source reads the kubeconfig written beside the config"
    );
    // Grafana is served whether or not opsdeck reads it yet.
    assert!(endpoints.contains_key("grafana"), "{}", sim.ready);

    let status = sim.stop();
    assert!(
        status.success(),
        "opsdeck sim should exit 0 on SIGTERM, got {status:?}"
    );
}

#[test]
fn sim_port_base_puts_pagerduty_on_that_port() {
    let sandbox = Sandbox::new();
    let port = free_port();
    let sim = Sim::start(
        &sandbox,
        SimArgs {
            at: "06:00",
            port_base: Some(port),
            config_name: "sim.toml",
            alertmanager: None,
        },
    );
    let endpoints = sim.ready["endpoints"]
        .as_object()
        .expect("endpoints object");
    assert_eq!(
        endpoints["pagerduty"]
            .as_str()
            .map(|u| u.trim_end_matches('/')),
        Some(format!("http://127.0.0.1:{port}").as_str()),
        "ready line: {}",
        sim.ready
    );
    // Every vendor lies in P, P+1, …
    for (vendor, url) in endpoints {
        let p: u16 = url
            .as_str()
            .and_then(|u| u.trim_end_matches('/').rsplit(':').next())
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        assert!(
            (port..port + endpoints.len() as u16).contains(&p),
            "{vendor} at {url} is outside the --port-base range"
        );
    }
    // It really listens there.
    std::net::TcpStream::connect(("127.0.0.1", port)).expect("PagerDuty listens on --port-base");
    let status = sim.stop();
    assert!(
        status.success(),
        "opsdeck sim should exit 0 on SIGTERM, got {status:?}"
    );
}

#[test]
fn sim_bad_speed_is_bad_usage() {
    let sandbox = Sandbox::new();
    let scenario = crate::support::scenario_path();
    for speed in ["--speed=-1", "--speed=NaN"] {
        let run = sandbox.run(&[
            "sim",
            "--scenario",
            scenario.to_str().unwrap(),
            speed,
            "--config-out",
            "never.toml",
        ]);
        run.expect_code(2);
        assert!(
            run.stderr().contains("speed"),
            "message does not name --speed: {}",
            run.describe()
        );
        assert!(
            !sandbox.path("never.toml").exists(),
            "a refused start still wrote a config"
        );
    }
}

/// `--alertmanager URL`: the simulator posts its alerts to a real Alertmanager and the written
/// config reads them from there, so a sync puts the real server's alert on the timeline.
#[test]
fn sim_drives_a_real_alertmanager() {
    let sandbox = Sandbox::new();
    let real = opsdeck_testkit::Alertmanager::start().unwrap_or_else(|e| panic!("{e}"));
    let sim = Sim::start(
        &sandbox,
        SimArgs {
            at: "06:00",
            port_base: None,
            config_name: "sim.toml",
            alertmanager: Some(&real.url()),
        },
    );
    let text = std::fs::read_to_string(&sim.config).expect("config");
    let config: toml::Table = text.parse().expect("TOML");
    let am = config["sources"]
        .as_array()
        .expect("[[sources]]")
        .iter()
        .find(|s| s["kind"].as_str() == Some("alertmanager"))
        .unwrap_or_else(|| panic!("no alertmanager source:\n{text}"));
    assert_eq!(am["url"].as_str(), Some(real.url().as_str()), "{text}");

    let config = sim.config.to_str().expect("utf-8").to_string();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        sandbox
            .run(&["--config", &config, "sync", "--once"])
            .expect_code(0);
        let timeline = sandbox.run(&["--config", &config, "timeline", "--json"]);
        let found = timeline.expect_code(0).json().as_array().is_some_and(|l| {
            l.iter().any(|e| {
                e["source"] == "alertmanager"
                    && e["title"]
                        .as_str()
                        .is_some_and(|t| t.starts_with("DBConnectionPoolExhausted"))
            })
        });
        if found {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the alert never came through the real Alertmanager: {}",
            timeline.describe()
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert!(sim.stop().success());

    let bad = sandbox.run(&[
        "sim",
        "--scenario",
        crate::support::scenario_path().to_str().expect("utf-8"),
        "--alertmanager",
        "ftp://alertmanager",
    ]);
    bad.expect_code(2);
    assert!(
        bad.stderr().contains("--alertmanager"),
        "{}",
        bad.describe()
    );
}
