//! `[desktop] start_at_login`: the login session starts opsdeck hidden in the tray (`--hidden`),
//! already paging. Matched to the config at every start with a real config (never for the
//! demo or a simulator's config); a failure is logged, never fatal.

use tauri::plugin::TauriPlugin;
use tauri::{AppHandle, Wry};
use tauri_plugin_autostart::ManagerExt;

use crate::args::{Args, HIDDEN};
use crate::state::Shell;

/// The login entry runs this binary with `--hidden`, and with `--config` when opsdeck was
/// started with an explicit one (absolute, so the login session finds it).
pub fn plugin(args: &Args) -> TauriPlugin<Wry> {
    let mut builder = tauri_plugin_autostart::Builder::new().arg(HIDDEN);
    let config = args
        .config
        .as_ref()
        .and_then(|c| std::path::absolute(c).ok());
    if let Some(config) = config.and_then(|c| c.to_str().map(str::to_owned)) {
        // The Linux login entry's Exec line is not quoted: a path with spaces would break it.
        if config.contains(char::is_whitespace) {
            tracing::warn!("start at login will use the default config: {config:?} has spaces");
        } else {
            builder = builder.args(["--config".to_string(), config]);
        }
    }
    builder.build()
}

/// Enables or disables the login entry to match the installed cockpit's config.
pub fn apply(app: &AppHandle, shell: &Shell) {
    let Some(cockpit) = shell.cockpit() else {
        return;
    };
    if cockpit.is_simulated() {
        return;
    }
    let wanted = cockpit.config().desktop.start_at_login;
    let login = app.autolaunch();
    // Enabling rewrites the entry, so it always names this binary and this config.
    let result = match wanted {
        true => login.enable(),
        false => login
            .is_enabled()
            .and_then(|on| if on { login.disable() } else { Ok(()) }),
    };
    match result {
        Ok(()) => tracing::info!(start_at_login = wanted, "login entry matches the config"),
        Err(e) => tracing::warn!("cannot set start at login to {wanted}: {e}"),
    }
}
