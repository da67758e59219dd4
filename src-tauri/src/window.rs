//! The main window's lifecycle. Closing it hides it: opsdeck keeps running and paging (from the
//! tray), and quitting is explicit (the tray's "Quit opsdeck"). The tray, a second launch and a
//! click on a page's notification all bring it back through [`show`].

use std::sync::Arc;

use opsdeck_domain::{entry_id, SourceKind};
use opsdeck_engine::notifier::ClickHandler;
use tauri::{AppHandle, Emitter, Manager, Window, WindowEvent};

pub const MAIN: &str = "main";
/// The UI opens the incident panel of the entry this event names (ui/src/lib/api.ts).
pub const FOCUS_ENTRY: &str = "focus-entry";

/// The window starts hidden (tauri.conf.json): shown at once unless opsdeck was started at
/// login (`--hidden`), where it waits in the tray.
pub fn first_show(app: &AppHandle, hidden: bool) {
    if !hidden {
        show(app);
    }
}

/// Shows, unminimizes and focuses the main window. Each step fails only while the window is
/// being destroyed (the app is quitting): nothing to do then.
pub fn show(app: &AppHandle) {
    if let Some(w) = app.get_webview_window(MAIN) {
        let _ = w.show();
        let _ = w.unminimize();
        let _ = w.set_focus();
    }
}

/// Closing the main window hides it, so pages keep coming. Without a tray icon (it could not be
/// created) the window is minimized instead, so it stays reachable from the task bar.
pub fn on_event(window: &Window, event: &WindowEvent) {
    if let WindowEvent::CloseRequested { api, .. } = event {
        if window.label() != MAIN {
            return;
        }
        api.prevent_close();
        let result = if window
            .app_handle()
            .try_state::<crate::tray::Tray>()
            .is_some()
        {
            window.hide()
        } else {
            window.minimize()
        };
        if let Err(e) = result {
            tracing::warn!("cannot hide the window: {e}");
        }
    }
}

/// What a click on a desktop notification does: the window comes up on the page's incident
/// (an empty id is opsdeck's own alarm: the window alone). Runs on the notifier's thread.
pub fn click_handler(app: AppHandle) -> ClickHandler {
    Arc::new(move |incident_id: &str| {
        show(&app);
        if !incident_id.is_empty() {
            let id = entry_id(SourceKind::Pagerduty, incident_id);
            // Fails only when the webview is gone (the app is quitting).
            let _ = app.emit(FOCUS_ENTRY, id);
        }
    })
}
