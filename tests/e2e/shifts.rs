//! Shifts in the window: the bundled day's shift (05:00 → +1 09:00) seen at +1 08:30, after a
//! day the cache followed — its handoff offered by the banner; yesterday on the timeline (`[`)
//! with a page's postmortem timeline in another zone; the handoff's figures (3 pages, median
//! time to acknowledge 5m 0s, to resolve 1h 28m), a summary and a "watch next" item typed and
//! saved with Ctrl+S, read back through `opsdeck handoff --format json`; the JSON export; a
//! handoff page opened on its day; the morning read (`g m`) listing the sources and marked read
//! with `m`; the `?` list.

use std::path::Path;
use std::process::Command;

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::Locator;
use serde_json::{json, Value};

use crate::support::output_dir;
use crate::support::sim::{opsdeck_binary, Sim};
use crate::support::webdriver::{App, Launch, UI_TIMEOUT};

const SUMMARY: &str = "Three pages, all resolved; orders-db had a rough night";
const WATCH: &str = "orders-db CPU after the nightly batch";

/// Runs `opsdeck ARGS` against the test's config and cache; panics with its stderr on failure.
fn opsdeck(config: &Path, db: &Path, args: &[&str]) -> String {
    let out = Command::new(opsdeck_binary())
        .arg("--config")
        .arg(config)
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run opsdeck {args:?}: {e}"));
    assert!(
        out.status.success(),
        "opsdeck {args:?} exited {}:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// Waits until nothing matches `css` (a dialog closed).
async fn gone(app: &App, css: &str) {
    let deadline = std::time::Instant::now() + UI_TIMEOUT;
    while app.count(css).await > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "`{css}` still there after {UI_TIMEOUT:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Presses keys on whatever has focus, as a user would (`ctrl` held for all of them if set).
async fn press(app: &App, keys: &str, ctrl: bool) {
    let mut actions = KeyActions::new("keyboard".to_string());
    if ctrl {
        actions = actions.then(KeyAction::Down {
            value: Key::Control.into(),
        });
    }
    for c in keys.chars() {
        actions = actions
            .then(KeyAction::Down { value: c })
            .then(KeyAction::Up { value: c });
    }
    if ctrl {
        actions = actions.then(KeyAction::Up {
            value: Key::Control.into(),
        });
    }
    app.client
        .perform_actions(actions)
        .await
        .unwrap_or_else(|e| panic!("cannot press {keys:?}: {e}"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_handoff_is_offered_edited_and_read_back_and_the_morning_read_marked() {
    let out = output_dir("the_handoff_is_offered_edited_and_read_back");
    let home = tempfile::tempdir().expect("temp home");
    // A cache of its own, so nothing from an earlier run (a saved summary) is seen.
    let db = home.path().join("opsdeck.sqlite");

    // The day as the cache followed it: synced at 23:59, after the last page resolved. (Started
    // at +1 08:30 with nothing cached, the 24-hour backfill would miss the 05:47 page.)
    let day = out.join("day");
    std::fs::create_dir_all(&day).expect("day dir");
    let evening = Sim::start(&day, &["--at", "23:59", "--speed", "0"]);
    opsdeck(&evening.config, &db, &["sync", "--once"]);
    drop(evening);

    // The next morning, half an hour before the shift ends.
    let sim = Sim::start(&out, &["--at", "+1 08:30", "--speed", "0"]);
    let app = App::launch(&out, Launch::with_cache(&sim.config, &db, home.path())).await;

    // Offered in every view, the Today timeline first.
    let banner = app.text_of("[data-testid=handoff-banner-text]").await;
    assert_eq!(banner, "Your shift ends at 09:00 — review the handoff");
    assert_eq!(app.count("[data-testid=timeline]").await, 1);

    // `[`: yesterday, read from the cache; its first page opens with its postmortem timeline.
    press(&app, "[", false).await;
    let heading = app
        .text_where("[data-testid=timeline-day]", |t| t.starts_with("Yesterday"))
        .await;
    assert!(heading.contains("past day, not live"), "{heading}");
    app.click_where(
        "[data-testid=entry][data-kind=page] [data-testid=entry-title]",
        |t| t.starts_with("API response time critical"),
    )
    .await;
    assert_eq!(app.text_of("[data-testid=incident-id]").await, "Q0PAY0001");
    app.click("[data-testid=postmortem-open]").await;
    app.text_where("[data-testid=postmortem-text]", |t| {
        t.starts_with("# Postmortem timeline: Q0PAY0001") && t.contains("times in UTC")
    })
    .await;
    app.client
        .find(Locator::Css("[data-testid=postmortem-zone]"))
        .await
        .expect("zone choice")
        .select_by_value("other")
        .await
        .expect("choose another zone");
    app.fill("[data-testid=postmortem-zone-typed]", "Asia/Tokyo")
        .await;
    app.text_where("[data-testid=postmortem-text]", |t| {
        t.contains("times in Asia/Tokyo (UTC+09:00)")
    })
    .await;
    app.screenshot("postmortem.png").await;
    press(&app, &char::from(Key::Escape).to_string(), false).await;
    gone(&app, "[data-testid=postmortem-dialog]").await;
    press(&app, "]", false).await;
    app.text_where("[data-testid=timeline-day]", |t| t.starts_with("Today"))
        .await;

    app.click("[data-testid=nav-shifts]").await;
    let shift = app
        .text_of("[data-testid=shift][data-shift-id] .shift-name")
        .await;
    assert_eq!(shift, "Payments Primary");
    app.text_of("[data-testid=shift] [data-testid=in-progress]")
        .await;
    let pages = app
        .text_where("[data-testid=figure-pages]", |t| t.starts_with("3 pages"))
        .await;
    assert!(pages.starts_with("3 pages: 3 high, 0 low"), "{pages}");
    assert_eq!(app.text_of("[data-testid=figure-tta]").await, "5m 0s");
    assert_eq!(app.text_of("[data-testid=figure-ttr]").await, "1h 28m");
    assert_eq!(app.count("[data-testid=handoff-page]").await, 3);
    assert_eq!(app.count("[data-testid=handoff-banner]").await, 1);

    // Typed, unsaved, then saved with Ctrl+S.
    app.text_where("[data-testid=handoff-state]", |t| t.contains("Saved"))
        .await;
    app.fill("[data-testid=handoff-summary]", SUMMARY).await;
    app.fill("[data-testid=watch-new]", WATCH).await;
    app.click("[data-testid=watch-add]").await;
    let item = app
        .execute(
            "return [...document.querySelectorAll('[data-testid=watch-item-text]')].map(i => i.value);",
            vec![],
        )
        .await;
    assert_eq!(item, json!([WATCH]));
    app.text_where("[data-testid=handoff-state]", |t| t.contains("Unsaved"))
        .await;
    app.screenshot("handoff-typed.png").await;
    press(&app, "s", true).await;
    app.text_where("[data-testid=handoff-state]", |t| t.contains("Saved"))
        .await;

    let report: Value =
        serde_json::from_str(&opsdeck(&sim.config, &db, &["handoff", "--format", "json"]))
            .expect("handoff JSON");
    assert_eq!(report["summary"], json!(SUMMARY), "{report:#}");
    assert_eq!(report["watch_next"], json!([WATCH]), "{report:#}");
    assert_eq!(report["figures"]["pages"], json!(3));

    // Saved as JSON: the path is shown, and the file holds what was typed.
    app.click("[data-testid=save-json]").await;
    let path = app.text_of("[data-testid=export-path]").await;
    assert!(path.ends_with(".json"), "{path}");
    let saved: Value = serde_json::from_str(
        &std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}")),
    )
    .expect("exported JSON");
    assert_eq!(saved["summary"], json!(SUMMARY));
    app.screenshot("handoff-saved.png").await;

    // A page of the handoff opens in the timeline's side panel, on its own day.
    app.click("[data-testid=handoff-page][data-incident=Q0PAY0001] button")
        .await;
    app.text_where(
        "[data-testid=incident-panel] [data-testid=incident-id]",
        |t| t == "Q0PAY0001",
    )
    .await;
    app.text_where("[data-testid=timeline-day]", |t| t.starts_with("Yesterday"))
        .await;

    // `g m`: the morning read, a first look, each source with its state; `m` marks it read.
    app.click("[data-testid=nav-shifts]").await;
    press(&app, "gm", false).await;
    let since = app.text_of("[data-testid=morning-since]").await;
    assert!(since.contains("first look: the last 12 hours"), "{since}");
    let source = app
        .text_of("[data-testid=morning-source][data-source=pagerduty]")
        .await;
    assert!(source.contains("pagerduty"), "{source}");
    app.screenshot("morning.png").await;
    press(&app, "m", false).await;
    app.text_where("[data-testid=morning-since]", |t| !t.contains("first look"))
        .await;

    // `?` lists the shortcuts, the new views' among them; Escape closes the list.
    press(&app, "?", false).await;
    let list = app.text_of("[data-testid=shortcuts]").await;
    assert!(
        list.contains("g s") && list.contains("g m") && list.contains("[ / ]"),
        "{list}"
    );
    app.screenshot("shortcuts.png").await;
    press(&app, &char::from(Key::Escape).to_string(), false).await;
    gone(&app, "[data-testid=shortcuts]").await;
    app.close().await;
}
