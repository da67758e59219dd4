//! End-to-end tests of the real desktop window, driven over WebDriver (tauri-driver +
//! WebKitWebDriver) under a private Xvfb display. One test binary so it links once.
//!
//! Table of contents:
//! - `alerts::hostile_labels_render_inert_and_a_silence_reaches_alertmanager` — the real
//!   Alertmanager: hostile label values as inert text in the DOM; silence from the alert panel.
//! - `actions::acknowledge_from_the_incident_panel_and_forged_tokens_refused` — the incident
//!   panel, the confirmation dialog, the on-call header; forged and replayed tokens over IPC.
//! - `ci::a_failed_run_is_rerun_from_its_panel` — the day's failed run on main: its failed job
//!   and step, "Re-run failed jobs" confirmed, back on the timeline as running.
//! - `runbooks::a_checklist_runs_its_scale_step_and_hostile_runbooks_stay_inert` — the pool
//!   alert's runbook as a checklist: ticked, its scale step run through the dialog; a hostile
//!   runbook inert in the DOM.
//! - `search::a_word_of_a_page_note_is_found_marked_and_opened_and_hostile_input_is_inert` —
//!   the Search view: a word only in the first page's resolve note lists the page with the word
//!   marked, Enter opens it in the side panel; "no matches"; hostile input inert.
//! - `shifts::the_handoff_is_offered_edited_and_read_back_and_the_morning_read_marked` — the
//!   day's shift near its end: the handoff banner, yesterday's timeline and a postmortem, the
//!   handoff's figures, a summary and "watch next" item saved with Ctrl+S and read back through
//!   `opsdeck handoff`; the morning read marked with `m`.
//! - `window::first_run_without_config_then_demo` — no config: the first-run screen, then the demo.
//! - `window::live_timeline_from_the_simulator` — `opsdeck sim` + the config it wrote: Today.
//!
//! Needs: Xvfb, WebKitWebDriver (Debian `xvfb`, `webkit2gtk-driver`) and `tauri-driver`
//! (`cargo install tauri-driver`); `scripts/setup.sh` installs all three. Screenshots land in
//! `target/test-output/e2e/`.

mod actions;
mod alerts;
mod ci;
mod runbooks;
mod search;
mod shifts;
mod support;
mod window;
