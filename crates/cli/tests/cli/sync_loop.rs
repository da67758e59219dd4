//! `opsdeck sync` without `--once`: keeps the cache current and stops cleanly on SIGTERM, as a
//! process manager or a test would stop it.

use std::time::{Duration, Instant};

use crate::support::{Sandbox, Sim, SimArgs};

#[test]
fn continuous_sync_fills_the_cache_and_stops_on_sigterm() {
    let sandbox = Sandbox::new();
    let sim = Sim::start(
        &sandbox,
        SimArgs {
            at: "06:00",
            port_base: None,
            config_name: "sim.toml",
        },
    );
    let config = sim.config.to_str().unwrap().to_string();
    let log = sandbox.path("sync.log");
    let mut cmd = sandbox.command();
    cmd.args(["--config", &config, "sync"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut sync = crate::support::ChildGuard::spawn(cmd, "opsdeck sync");

    // The page reaches the cache through the background poller: poll the timeline until then.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let run = sandbox.run(&["--config", &config, "timeline", "--json"]);
        if run.code() == Some(0)
            && run
                .json()
                .as_array()
                .is_some_and(|l| l.iter().any(|e| e["external_id"] == "Q0PAY0001"))
        {
            break;
        }
        if let Some(status) = sync.child.try_wait().expect("try_wait") {
            panic!(
                "opsdeck sync exited early ({status:?}): {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        }
        assert!(
            Instant::now() < deadline,
            "the page never reached the cache: {}",
            run.describe()
        );
        std::thread::sleep(Duration::from_millis(200));
    }

    sync.terminate();
    let status = sync
        .wait_deadline(Duration::from_secs(15))
        .expect("opsdeck sync did not stop within 15 s of SIGTERM");
    assert_eq!(
        status.code(),
        Some(0),
        "SIGTERM should stop sync gracefully with 0, got {status:?}"
    );
    assert!(sim.stop().success());
}
