//! IPC commands: each one a thin call into the cockpit service.

use opsdeck_domain::{AppStatus, SourceHealth, TimelineEntry};
use tauri::State;
use tauri_plugin_opener::OpenerExt;

use crate::error::IpcError;
use crate::state::Shell;

fn cockpit(shell: &Shell) -> Result<std::sync::Arc<opsdeck_engine::Cockpit>, IpcError> {
    shell
        .cockpit()
        .ok_or_else(|| IpcError::new("no_cockpit", "no sources are configured yet"))
}

#[tauri::command]
pub fn app_status(shell: State<'_, Shell>) -> Result<AppStatus, IpcError> {
    if let Some(e) = shell.boot_error() {
        return Err(IpcError::new("boot", e));
    }
    shell
        .status()
        .ok_or_else(|| IpcError::new("booting", "opsdeck is starting"))
}

#[tauri::command]
pub fn timeline_today(shell: State<'_, Shell>) -> Result<Vec<TimelineEntry>, IpcError> {
    let c = cockpit(&shell)?;
    Ok(c.timeline_day(c.today())?)
}

#[tauri::command]
pub fn source_health(shell: State<'_, Shell>) -> Result<Vec<SourceHealth>, IpcError> {
    Ok(cockpit(&shell)?.health()?)
}

#[tauri::command]
pub async fn start_demo(shell: State<'_, Shell>) -> Result<AppStatus, IpcError> {
    shell
        .start_demo()
        .await
        .map_err(|e| IpcError::new("demo", e))?;
    shell
        .status()
        .ok_or_else(|| IpcError::new("booting", "opsdeck is starting"))
}

#[tauri::command]
pub async fn refresh(shell: State<'_, Shell>) -> Result<(), IpcError> {
    cockpit(&shell)?.refresh().await;
    Ok(())
}

/// Opens an entry's vendor link in the system browser. The webview names the entry, not the
/// URL, so it cannot make opsdeck open an arbitrary address; only http(s) links are opened.
#[tauri::command]
pub fn open_entry_link(
    app: tauri::AppHandle,
    shell: State<'_, Shell>,
    id: String,
) -> Result<(), IpcError> {
    let c = cockpit(&shell)?;
    let entry = c
        .entry(&id)?
        .ok_or_else(|| IpcError::new("not_found", format!("no timeline entry {id}")))?;
    let url = entry
        .url
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"));
    let url = url.ok_or_else(|| IpcError::new("no_link", "this entry has no web link"))?;
    app.opener()
        .open_url(url, None::<&str>)
        .map_err(|e| IpcError::new("open", format!("cannot open the browser: {e}")))
}
