//! Exit codes and messages: 2 for bad input (naming what to fix), 1 when a source fails (naming
//! it, while the others still sync).

use crate::support::{free_port, scenario_path, Sandbox, Sim};

/// The shared day with one exact edit; panics if the text to edit is not there once, so a
/// changed scenario cannot turn these tests into no-ops.
fn edited_scenario(sandbox: &Sandbox, name: &str, from: &str, to: &str) -> std::path::PathBuf {
    let text = std::fs::read_to_string(scenario_path()).expect("read the scenario");
    assert_eq!(
        text.matches(from).count(),
        1,
        "{from:?} should occur once in the scenario"
    );
    sandbox.write(name, &text.replacen(from, to, 1))
}

#[test]
fn malformed_scenarios_exit_2_naming_file_event_and_key() {
    let sandbox = Sandbox::new();
    // events[3] is the 05:52 acknowledgement of Q0PAY0001.
    let unknown = edited_scenario(
        &sandbox,
        "unknown-key.yaml",
        "page: {id: Q0PAY0001, state: acknowledged, by: me}",
        "page: {id: Q0PAY0001, state: acknowledged, by: me, colour: red}",
    );
    let unordered = edited_scenario(
        &sandbox,
        "unordered.yaml",
        "- at: \"05:52\"",
        "- at: \"05:40\"",
    );
    for (file, key) in [(&unknown, "colour"), (&unordered, "at")] {
        let run = sandbox.run(&[
            "sim",
            "--scenario",
            file.to_str().unwrap(),
            "--speed",
            "0",
            "--config-out",
            "never.toml",
        ]);
        run.expect_code(2);
        let err = run.stderr();
        let name = file.file_name().unwrap().to_str().unwrap();
        assert!(
            err.contains(name),
            "message does not name the file {name}: {}",
            run.describe()
        );
        assert!(
            err.contains("events[3]"),
            "message does not name the event index: {}",
            run.describe()
        );
        assert!(
            err.contains(&format!("\"{key}\"")),
            "message does not name the key {key:?}: {}",
            run.describe()
        );
        assert!(
            !sandbox.path("never.toml").exists(),
            "a bad scenario still wrote a config"
        );
        assert!(
            run.stdout().is_empty(),
            "no ready line for a bad scenario: {}",
            run.describe()
        );
    }
}

#[test]
fn missing_config_exits_2_naming_the_path() {
    let sandbox = Sandbox::new();
    let path = sandbox.path("does-not-exist.toml");
    for args in [&["sync", "--once"][..], &["timeline", "--json"][..]] {
        let mut all = vec!["--config", path.to_str().unwrap()];
        all.extend_from_slice(args);
        let run = sandbox.run(&all);
        run.expect_code(2);
        assert!(
            run.stderr().contains(path.to_str().unwrap()),
            "message does not name the path: {}",
            run.describe()
        );
    }
}

#[test]
fn unknown_config_keys_exit_2_naming_the_key() {
    let sandbox = Sandbox::new();
    let db = sandbox.path("cache.sqlite");
    let url = format!("http://127.0.0.1:{}", free_port());
    let top = sandbox.write("top.toml", &format!("version = 1\ncolour = \"red\"\n[[sources]]\nkind = \"pagerduty\"\nurl = \"{url}\"\ntoken = \"t\"\n"));
    let nested = sandbox.write("nested.toml", &format!("version = 1\n[[sources]]\nkind = \"pagerduty\"\nurl = \"{url}\"\ntoken = \"t\"\npoll_intervall = \"5s\"\n"));
    for (config, key) in [(&top, "colour"), (&nested, "poll_intervall")] {
        let run = sandbox.run(&[
            "--config",
            config.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
            "sync",
            "--once",
        ]);
        run.expect_code(2);
        assert!(
            run.stderr().contains(key),
            "message does not name {key:?}: {}",
            run.describe()
        );
    }
}

#[test]
fn bad_timeline_arguments_exit_2() {
    let sandbox = Sandbox::new();
    let config = sandbox.write("c.toml", "version = 1\ntimezone = \"UTC\"\n");
    let db = sandbox.path("cache.sqlite");
    let base = [
        "--config",
        config.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
        "timeline",
    ];
    let cases: [&[&str]; 4] = [
        &["--since", "notatime", "--until", "2026-11-22T07:00:00Z"],
        &["--since", "2026-11-22T05:00:00Z", "--until", "tomorrow"],
        // A window that ends before it starts is a mistake, not an empty answer.
        &[
            "--since",
            "2026-11-22T07:00:00Z",
            "--until",
            "2026-11-22T05:00:00Z",
        ],
        &["--day", "22/11/2026"],
    ];
    for extra in cases {
        let args: Vec<&str> = base.iter().chain(extra).copied().collect();
        let run = sandbox.run(&args);
        run.expect_code(2);
        assert!(
            !run.stderr().trim().is_empty(),
            "exit 2 without a message: {}",
            run.describe()
        );
    }
    // The bad value is named, so the user knows what to fix.
    let args: Vec<&str> = base.iter().chain(cases[0]).copied().collect();
    assert!(sandbox.run(&args).stderr().contains("notatime"));
}

#[test]
fn unreachable_source_exits_1_naming_it() {
    let sandbox = Sandbox::new();
    let config = sandbox.write(
        "down.toml",
        &format!("version = 1\ntimezone = \"UTC\"\n[[sources]]\nkind = \"pagerduty\"\nurl = \"http://127.0.0.1:{}\"\ntoken = \"t\"\n", free_port()),
    );
    let db = sandbox.path("cache.sqlite");
    let run = sandbox.run(&[
        "--config",
        config.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
        "sync",
        "--once",
    ]);
    run.expect_code(1);
    assert!(
        run.stderr().contains("pagerduty"),
        "stderr does not name the source: {}",
        run.describe()
    );
    // Piped stderr is for logs and scripts: no terminal colour codes.
    assert!(
        !run.stderr().contains('\u{1b}'),
        "escape codes in piped stderr: {:?}",
        run.stderr()
    );
}

#[test]
fn one_unreachable_source_fails_the_sync_but_the_other_is_stored() {
    let sandbox = Sandbox::new();
    let sim = Sim::frozen(&sandbox, "06:00");
    // The simulator's config (its clock, so Today is the replayed day) with its PagerDuty
    // source renamed and a second PagerDuty source on a port where nothing listens.
    let text = std::fs::read_to_string(&sim.config).expect("read the sim config");
    let mut config: toml::Table = text.parse().expect("sim config is TOML");
    let sources = config
        .get_mut("sources")
        .and_then(|s| s.as_array_mut())
        .expect("[[sources]]");
    let live = sources
        .iter_mut()
        .find(|s| s["kind"].as_str() == Some("pagerduty"))
        .unwrap_or_else(|| panic!("no PagerDuty source in:\n{text}"));
    let mut down = live.clone();
    live.as_table_mut()
        .unwrap()
        .insert("name".into(), "pd-live".into());
    let t = down.as_table_mut().unwrap();
    t.insert("name".into(), "pd-down".into());
    t.insert(
        "url".into(),
        format!("http://127.0.0.1:{}", free_port()).into(),
    );
    sources.push(down);
    let path = sandbox.write(
        "two.toml",
        &toml::to_string(&config).expect("serialize config"),
    );
    let config = path.to_str().unwrap();

    let run = sandbox.run(&["--config", config, "sync", "--once"]);
    run.expect_code(1);
    let err = run.stderr();
    let summary = err
        .lines()
        .rev()
        .find(|l| l.starts_with("opsdeck:"))
        .unwrap_or_else(|| panic!("no final message: {}", run.describe()));
    assert!(
        summary.contains("pd-down"),
        "the failing source is not named: {}",
        run.describe()
    );
    for healthy in ["pd-live", "alertmanager"] {
        assert!(
            !summary.contains(healthy),
            "the healthy source {healthy} is named as failing: {}",
            run.describe()
        );
    }
    assert!(
        !err.lines()
            .any(|l| l.starts_with("pd-live") && l.contains("FAIL")),
        "{}",
        run.describe()
    );

    let timeline = sandbox.run(&["--config", config, "timeline", "--json"]);
    let json = timeline.expect_code(0).json();
    assert!(
        json.as_array()
            .is_some_and(|l| l.iter().any(|e| e["external_id"] == "Q0PAY0001")),
        "the reachable source's entries were not stored: {}",
        timeline.describe()
    );
    assert!(sim.stop().success());
}
