//! Search in the window: the bundled day at 09:30, after the first page (Q0PAY0001) was
//! resolved at 08:52 with the note "Async payment calls deployed in 1.41.1; scaled to 6
//! replicas as a stop-gap." — a word found only in that note lists the page, the word marked in
//! its snippet; Enter opens the incident in the timeline's side panel; `/` comes back to the
//! field and a search for nothing lists "no matches"; hostile input (quotes, operators,
//! markup) is searched for as plain words, shows no error and injects nothing.

use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use serde_json::{json, Value};

use crate::support::output_dir;
use crate::support::sim::Sim;
use crate::support::webdriver::{App, Launch, UI_TIMEOUT};

/// Occurs in the page's resolve note only: not in its title, nor in any other entry of the day.
const NOTE_WORD: &str = "stop-gap";
const PAGE: &str = "Q0PAY0001";
const NOTHING: &str = "zebraquokka";
const HOSTILE: [&str; 4] = [
    "\"",
    "AND (",
    "<script>",
    "<img src=x onerror=window.__pwned=1>",
];

/// Types `keys` on whatever has focus, one key at a time, as a user would.
async fn type_keys(app: &App, keys: &str) {
    let mut actions = KeyActions::new("keyboard".to_string());
    for c in keys.chars() {
        actions = actions
            .then(KeyAction::Down { value: c })
            .then(KeyAction::Up { value: c });
    }
    app.client
        .perform_actions(actions)
        .await
        .unwrap_or_else(|e| panic!("cannot type {keys:?}: {e}"));
}

async fn key(app: &App, k: Key) {
    type_keys(app, &char::from(k).to_string()).await;
}

/// What has focus: its `data-testid` and `data-external-id`.
async fn focused(app: &App) -> Value {
    app.execute(
        "const a = document.activeElement;\
         return { testid: a?.dataset?.testid ?? null, external: a?.dataset?.externalId ?? null };",
        vec![],
    )
    .await
}

/// Waits until the Search view shows the answer to `query` (no request in flight) and returns
/// what it shows: the count line, the error if any, and the rows' external ids.
async fn answered(app: &App, query: &str) -> Value {
    let deadline = Instant::now() + UI_TIMEOUT;
    loop {
        let seen = app
            .execute(
                "const c = document.querySelector('[data-testid=search-count]');\
                 const e = document.querySelector('[data-testid=search-error]');\
                 return {\
                   query: c ? c.dataset.query : null,\
                   count: c ? c.textContent.trim() : null,\
                   error: e ? e.textContent.trim() : null,\
                   busy: document.querySelector('[data-testid=search-progress]') !== null,\
                   field: document.querySelector('[data-testid=search-input]')?.value ?? null,\
                   hits: [...document.querySelectorAll('[data-testid=search-hit]')].map(r => r.dataset.externalId),\
                 };",
                vec![],
            )
            .await;
        // A refusal is an answer too: it shows instead of the count.
        let done = !seen["busy"].as_bool().unwrap_or(true)
            && seen["field"] == json!(query)
            && (seen["query"] == json!(query) || !seen["error"].is_null());
        if done {
            return seen;
        }
        if Instant::now() > deadline {
            let evidence = app.evidence("failure").await;
            panic!("the search for {query:?} was not answered within {UI_TIMEOUT:?}; last seen: {seen}\n{evidence}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Puts the focus in the search field with its words selected (as `/` does), then types
/// `text` over them.
async fn search_for(app: &App, text: &str) {
    app.execute(
        "const f = document.querySelector('[data-testid=search-input]'); f.focus(); f.select();",
        vec![],
    )
    .await;
    type_keys(app, text).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_word_of_a_page_note_is_found_marked_and_opened_and_hostile_input_is_inert() {
    let out = output_dir("search_finds_a_note_and_hostile_input_is_inert");
    let home = tempfile::tempdir().expect("temp home");
    // A cache of its own: nothing from an earlier run is found.
    let db = home.path().join("opsdeck.sqlite");
    // 09:30: the 24-hour backfill covers the page (05:47) and its resolve note (08:52).
    let sim = Sim::start(&out, &["--at", "09:30", "--speed", "0"]);
    let app = App::launch(&out, Launch::with_cache(&sim.config, &db, home.path())).await;

    // The page is on Today's timeline, resolved; its title does not hold the word.
    let page = "[data-testid=entry][data-kind=page][data-status=resolved]";
    let title = app
        .text_of(&format!("{page} [data-testid=entry-title]"))
        .await;
    assert!(
        !title.to_lowercase().contains(NOTE_WORD) && !title.to_lowercase().contains("gap"),
        "the title must not hold the searched word: {title}"
    );

    // The Search view from the nav: its field has the focus; typing searches as you type.
    app.click("[data-testid=nav-search]").await;
    app.text_of("[data-testid=search-hint]").await;
    assert_eq!(focused(&app).await["testid"], json!("search-input"));
    type_keys(&app, NOTE_WORD).await;
    let hit = format!("[data-testid=search-hit][data-external-id={PAGE}]");
    let mark = app
        .text_where(&format!("{hit} [data-testid=search-mark]"), |t| {
            t.eq_ignore_ascii_case(NOTE_WORD)
        })
        .await;
    assert_eq!(mark, NOTE_WORD);
    let seen = answered(&app, NOTE_WORD).await;
    assert_eq!(seen["count"], json!("1 match"), "{seen}");
    assert_eq!(seen["hits"], json!([PAGE]), "{seen}");
    assert!(seen["error"].is_null(), "{seen}");
    // The snippet is the note's text, the markers gone, only the word marked.
    let snippet = app
        .text_of(&format!("{hit} [data-testid=search-snippet]"))
        .await;
    assert!(snippet.contains("replicas as a stop-gap"), "{snippet}");
    assert!(
        !snippet.contains('[') && !snippet.contains(']'),
        "{snippet}"
    );
    assert_eq!(
        app.count(&format!("{hit} [data-testid=search-mark]")).await,
        1
    );
    // The row: time, source and kind, severity as words; under the day's heading.
    let row = app.text_of(&hit).await;
    for part in ["05:47", "PagerDuty · page", "critical", "payments-api"] {
        assert!(row.contains(part), "{part:?} missing from the row: {row}");
    }
    assert!(
        app.text_of("[data-testid=search-day]")
            .await
            .starts_with("Today"),
        "the hit is under Today's heading"
    );
    app.screenshot("search-hit.png").await;

    // ↓ moves from the field to the result; Enter opens the incident in the timeline's panel.
    key(&app, Key::Down).await;
    let now = focused(&app).await;
    assert_eq!(now["testid"], json!("search-hit"), "{now}");
    assert_eq!(now["external"], json!(PAGE), "{now}");
    key(&app, Key::Enter).await;
    app.text_where(
        "[data-testid=incident-panel] [data-testid=incident-id]",
        |t| t == PAGE,
    )
    .await;
    app.text_where("[data-testid=timeline-day]", |t| t.starts_with("Today"))
        .await;
    app.screenshot("search-opened.png").await;

    // `/` comes back to the field with the words selected: typing replaces them.
    type_keys(&app, "/").await;
    app.text_of("[data-testid=search-view] [data-testid=search-count]")
        .await;
    let selected = app
        .execute(
            "const f = document.activeElement;\
             return f?.dataset?.testid === 'search-input' && f.selectionStart === 0 && f.selectionEnd === f.value.length;",
            vec![],
        )
        .await;
    assert_eq!(
        selected,
        json!(true),
        "`/` focuses the field, words selected"
    );
    type_keys(&app, NOTHING).await;
    let seen = answered(&app, NOTHING).await;
    assert_eq!(seen["count"], json!("no matches"), "{seen}");
    assert_eq!(seen["hits"], json!([]), "{seen}");
    assert_eq!(app.count("[data-testid=search-empty]").await, 1);

    // Hostile input: plain words to the backend, no error, nothing injected.
    for text in HOSTILE {
        search_for(&app, text).await;
        let seen = answered(&app, text).await;
        assert!(seen["error"].is_null(), "{text:?}: {seen}");
        assert!(seen["count"].is_string(), "{text:?}: {seen}");
        let injected = app
            .execute(
                "const v = document.querySelector('[data-testid=search-view]');\
                 return { elements: v.querySelectorAll('script, img, iframe, object, embed').length,\
                          pwned: window.__pwned === undefined ? null : String(window.__pwned) };",
                vec![],
            )
            .await;
        assert_eq!(
            injected,
            json!({"elements": 0, "pwned": null}),
            "{text:?} injected something"
        );
    }
    app.screenshot("search-hostile.png").await;

    // Still searching afterwards: another word of the note finds the page again.
    search_for(&app, "replicas").await;
    app.text_where(&format!("{hit} [data-testid=search-mark]"), |t| {
        t == "replicas"
    })
    .await;

    // No words, only filters: the day's pages of the last 24 hours, the page among them.
    search_for(&app, &char::from(Key::Backspace).to_string()).await;
    app.text_of("[data-testid=search-hint]").await;
    app.click("[data-testid=search-chip][data-facet=kind][data-value=page]")
        .await;
    app.client
        .find(fantoccini::Locator::Css("[data-testid=search-window]"))
        .await
        .expect("the window select")
        .select_by_value("24h")
        .await
        .expect("choose the last 24 hours");
    let seen = answered(&app, "").await;
    assert!(seen["error"].is_null(), "{seen}");
    let pages = seen["hits"].as_array().expect("hits");
    assert!(pages.contains(&json!(PAGE)), "{seen}");
    let kinds = app
        .execute(
            "return [...new Set([...document.querySelectorAll('[data-testid=search-hit]')].map(r => r.dataset.kind))];",
            vec![],
        )
        .await;
    assert_eq!(kinds, json!(["page"]));
    app.screenshot("search-filters.png").await;
    app.close().await;
}
