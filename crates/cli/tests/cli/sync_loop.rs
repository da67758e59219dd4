//! `opsdeck sync` without `--once`: keeps the cache current and stops cleanly on SIGTERM, as a
//! process manager or a test would stop it.

use std::time::{Duration, Instant};

use crate::support::{Sandbox, Sim};

#[test]
fn continuous_sync_fills_the_cache_and_stops_on_sigterm() {
    let sandbox = Sandbox::new();
    let sim = Sim::frozen(&sandbox, "06:00");
    let config = sim.config.to_str().unwrap().to_string();
    // Create (and migrate) the cache first, so this test is about the poll loop alone; two
    // processes opening a brand-new cache at once is `first_use_of_a_fresh_cache_by_two_processes`.
    let empty = sandbox.run(&["--config", &config, "timeline", "--json"]);
    assert_eq!(
        empty.expect_code(0).json(),
        serde_json::json!([]),
        "the cache should start empty"
    );
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
        // Reading while sync writes must work (the cache is in WAL mode with a busy timeout).
        run.expect_code(0);
        if run
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

/// Two opsdeck processes using a brand-new cache at once (say `opsdeck sync` started by a
/// service manager while the user runs `opsdeck timeline`) must both work: they race to switch
/// the new file to WAL and to migrate it.
#[test]
fn first_use_of_a_fresh_cache_by_two_processes() {
    let sandbox = Sandbox::new();
    let sim = Sim::frozen(&sandbox, "06:00");
    let config = sim.config.to_str().unwrap().to_string();
    for round in 0..10 {
        let db = sandbox.path(&format!("fresh-{round}.sqlite"));
        let db = db.to_str().unwrap();
        let (a, b) = std::thread::scope(|s| {
            let a = s.spawn(|| sandbox.run(&["--config", &config, "--db", db, "sync", "--once"]));
            let b =
                s.spawn(|| sandbox.run(&["--config", &config, "--db", db, "timeline", "--json"]));
            (
                a.join().expect("sync thread"),
                b.join().expect("timeline thread"),
            )
        });
        a.expect_code(0);
        b.expect_code(0);
    }
    assert!(sim.stop().success());
}
