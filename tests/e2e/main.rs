//! End-to-end tests of the real desktop window, driven over WebDriver (tauri-driver +
//! WebKitWebDriver) under a private Xvfb display. One test binary so it links once.
//!
//! Table of contents:
//! - `window::first_run_without_config_then_demo` — no config: the first-run screen, then the demo.
//! - `window::live_timeline_from_the_simulator` — `opsdeck sim` + the config it wrote: Today.
//!
//! Needs: Xvfb, WebKitWebDriver (Debian `xvfb`, `webkit2gtk-driver`) and `tauri-driver`
//! (`cargo install tauri-driver`); `scripts/setup.sh` installs all three. Screenshots land in
//! `target/test-output/e2e/`.

mod support;
mod window;
