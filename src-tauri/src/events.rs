//! Forwards the cockpit's change feed to the window as `cockpit-changed` events; the UI
//! re-reads what it shows (coalesced per frame on its side). The tray re-counts my open pages
//! on the same beat.

use tauri::{AppHandle, Emitter, Manager};

use crate::state::Shell;

pub const CHANGED: &str = "cockpit-changed";

/// Runs until the app exits; re-subscribes when a demo starts a new cockpit.
pub fn forward(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let shell = app.state::<Shell>();
        let mut generations = shell.watch_cockpit();
        loop {
            let cockpit = shell.cockpit();
            // Tell the window whenever a (new) cockpit appears: its first view is due. Emitting
            // fails only when the window is gone, and then there is nobody to tell.
            let _ = app.emit(CHANGED, "cockpit");
            crate::tray::refresh(&app);
            let Some(cockpit) = cockpit else {
                if generations.changed().await.is_err() {
                    return;
                }
                continue;
            };
            let mut feed = cockpit.subscribe();
            loop {
                tokio::select! {
                    change = feed.recv() => match change {
                        Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                            let _ = app.emit(CHANGED, "data");
                            crate::tray::refresh(&app);
                        }
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                    },
                    r = generations.changed() => {
                        if r.is_err() {
                            return;
                        }
                        break;
                    }
                }
            }
        }
    });
}
