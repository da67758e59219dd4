//! Processes the end-to-end tests start: a private X display, the WebDriver bridge, and the
//! WebDriver session on the app. Each is killed when its guard drops, also on panic.

pub mod procs;
pub mod sim;
pub mod webdriver;

use std::path::PathBuf;

/// Where a test leaves screenshots and logs for a human to look at after the run.
pub fn output_dir(test: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/test-output/e2e")
        .join(test);
    std::fs::create_dir_all(&dir)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    dir
}

/// The desktop binary cargo built for this test run.
pub fn desktop_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_opsdeck-desktop"))
}

/// The environment of an app under test: a private home (config, data) and no session bus,
/// so notifications fail quietly instead of reaching the desktop of whoever runs the tests.
pub fn private_env(home: &std::path::Path) -> Vec<(&'static str, String)> {
    vec![
        ("HOME", home.display().to_string()),
        ("XDG_CONFIG_HOME", home.join("config").display().to_string()),
        ("XDG_DATA_HOME", home.join("data").display().to_string()),
        (
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent".to_string(),
        ),
    ]
}
