//! IPC commands: each one a thin call into the cockpit service.

use serde::Serialize;

use crate::state::Shell;

/// What the window needs to know before it can draw anything.
#[derive(Serialize)]
pub struct AppStatus {
    pub mode: &'static str,
    pub tz: String,
    pub today: String,
    pub now: String,
    pub me: Option<String>,
    pub config_path: Option<String>,
}

#[tauri::command]
pub fn app_status(shell: tauri::State<'_, Shell>) -> AppStatus {
    let now = chrono::Utc::now();
    AppStatus {
        mode: "first_run",
        tz: "UTC".into(),
        today: now.date_naive().to_string(),
        now: now.to_rfc3339(),
        me: None,
        config_path: Some(shell.config_path.display().to_string()),
    }
}
