//! `opsdeck runbooks` and `opsdeck runbook render`: the library as `opsdeck sim` ships it for the
//! day, a folder with a broken runbook (listed, the problem on stderr with file and line), and a
//! hostile runbook rendered inert with every step numbered.

use crate::support::Sandbox;

#[test]
fn the_sims_runbooks_are_listed_with_their_links() {
    let sandbox = Sandbox::new();
    // `opsdeck sim` writes the day's runbooks beside its config; a plain config naming that
    // folder is enough to list them.
    let folder = sandbox.path("runbooks");
    std::fs::create_dir_all(&folder).expect("folder");
    for (name, text) in opsdeck_sim::demo_runbooks::DEMO_RUNBOOKS {
        std::fs::write(folder.join(name), text).expect("written");
    }
    std::fs::write(
        folder.join("broken.md"),
        "---\ntitle: Broken\nservces: [x]\n---\n- [ ] a step\n",
    )
    .expect("written");
    let config = sandbox.write(
        "config.toml",
        "version = 1\n[runbooks]\nfolders = [\"runbooks\"]\n",
    );
    let config = config.to_str().expect("utf-8");
    let run = sandbox.run(&["--config", config, "runbooks", "--json"]);
    run.expect_code(0);
    let listing = run.json();
    let slugs: Vec<&str> = listing["runbooks"]
        .as_array()
        .expect("runbooks")
        .iter()
        .filter_map(|r| r["slug"].as_str())
        .collect();
    assert_eq!(
        slugs,
        [
            "api-latency",
            "connection-pool",
            "db-performance",
            "leaked-credentials"
        ],
        "{}",
        run.describe()
    );
    let latency = &listing["runbooks"][0];
    assert_eq!(latency["services"][0], "payments-api");
    assert!(latency["steps"].as_u64().is_some_and(|n| n >= 5));
    assert!(latency["links"]
        .as_array()
        .expect("links")
        .iter()
        .any(|l| l == "alert APIResponseTimeCritical"));
    let problem = &listing["problems"][0];
    assert!(problem["path"]
        .as_str()
        .is_some_and(|p| p.ends_with("broken.md")));
    assert_eq!(problem["line"], 3, "the unknown key's line in the file");
    assert!(run.stderr().contains("broken.md:3:"), "{}", run.describe());

    let no_run = sandbox.run(&["--config", config, "runbook", "patch", "run-nope"]);
    no_run.expect_code(2);
    assert!(
        no_run.stderr().contains("no runbook run run-nope"),
        "{}",
        no_run.describe()
    );

    let text = sandbox.run(&["--config", config, "runbooks"]);
    text.expect_code(0);
    assert!(
        text.stdout()
            .contains("api-latency  API latency above the SLO threshold"),
        "{}",
        text.describe()
    );
}

#[test]
fn render_prints_inert_html_with_numbered_steps() {
    let sandbox = Sandbox::new();
    let hostile = sandbox.write(
        "hostile.md",
        "# Hostile <script>alert(1)</script>\n\n\
         <iframe src=\"https://evil.example\"></iframe><style>body{display:none}</style>\n\n\
         - [ ] click [here](javascript:alert(1)) <img src=x onerror=\"alert(2)\">\n\
         - [x] look ![](https://evil.example/pixel.png)\n\
         <li data-step=\"7\"><input type=\"checkbox\" checked></li>\n\n\
         - [ ] restart\n\n  ```opsdeck\n  action: kubernetes.restart\n  service: payments-api\n  ```\n",
    );
    let run = sandbox.run(&["runbook", "render", hostile.to_str().expect("utf-8")]);
    run.expect_code(0);
    let html = run.stdout();
    for bad in [
        "<script",
        "<iframe",
        "<style",
        "javascript:",
        "onerror",
        "evil.example",
        "data-step=\"7\"",
    ] {
        assert!(!html.contains(bad), "{bad} survived:\n{html}");
    }
    let steps: Vec<&str> = html
        .match_indices("<li data-step=\"")
        .map(|(i, _)| &html[i + 15..i + 16])
        .collect();
    assert_eq!(steps, ["0", "1", "2"], "{html}");
    let item = |n: &str| {
        html.split(&format!("<li data-step=\"{n}\">"))
            .nth(1)
            .and_then(|rest| rest.split("</li>").next())
            .unwrap_or_default()
            .to_string()
    };
    assert!(item("1").contains("checked"), "[x] is checked: {html}");
    assert!(!item("0").contains("checked"), "[ ] is not: {html}");

    let missing = sandbox.run(&["runbook", "render", "nope.md"]);
    missing.expect_code(2);
    assert!(
        missing.stderr().contains("nope.md"),
        "{}",
        missing.describe()
    );
}
