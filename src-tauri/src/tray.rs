//! The tray icon: how many open pages are assigned to me (tooltip, title and a menu line),
//! "Open opsdeck" and the explicit "Quit opsdeck". Re-counted whenever the cockpit's change feed
//! fires (events.rs calls [`refresh`]).
//!
//! Linux shows no tooltips on tray icons: there the count is the title beside the icon and the
//! menu's first line. Without a StatusNotifier host (e.g. under Xvfb) the icon exists but nobody
//! draws it; a second launch still brings the window back (instance.rs).

use std::sync::Mutex;

use tauri::menu::{Menu, MenuEvent, MenuItem, PredefinedMenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Manager};

use crate::state::Shell;

const OPEN: &str = "open";
const COUNT: &str = "count";
const QUIT: &str = "quit";

/// Managed once the icon exists: what `refresh` updates.
pub struct Tray {
    icon: TrayIcon,
    count: MenuItem<tauri::Wry>,
    shown: Mutex<Option<usize>>,
}

/// Creates the icon. A missing tray library (libayatana-appindicator panics when it cannot be
/// loaded) or platform error is logged: opsdeck then runs without a tray and keeps paging.
pub fn create(app: &AppHandle) {
    let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| build(app)));
    match built {
        Ok(Ok(tray)) => {
            app.manage(tray);
            refresh(app);
        }
        Ok(Err(e)) => tracing::warn!("no tray icon: {e}"),
        Err(_) => tracing::warn!("no tray icon: the tray library could not be loaded"),
    }
}

fn build(app: &AppHandle) -> tauri::Result<Tray> {
    let open = MenuItem::with_id(app, OPEN, "Open opsdeck", true, None::<&str>)?;
    let count = MenuItem::with_id(app, COUNT, summary(0, true), false, None::<&str>)?;
    let separator = PredefinedMenuItem::separator(app)?;
    let quit = MenuItem::with_id(app, QUIT, "Quit opsdeck", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&open, &count, &separator, &quit])?;
    let icon = TrayIconBuilder::with_id("opsdeck")
        .icon(tauri::include_image!("icons/32x32.png"))
        .tooltip(tooltip(0))
        .menu(&menu)
        .on_menu_event(on_menu)
        .build(app)?;
    Ok(Tray {
        icon,
        count,
        shown: Mutex::new(None),
    })
}

fn on_menu(app: &AppHandle, event: MenuEvent) {
    match event.id().as_ref() {
        OPEN => crate::window::show(app),
        QUIT => app.exit(0),
        _ => {}
    }
}

/// Re-counts my open pages and updates the icon when the count changed.
pub fn refresh(app: &AppHandle) {
    let Some(tray) = app.try_state::<Tray>() else {
        return;
    };
    let n = match app.state::<Shell>().cockpit().map(|c| c.my_open_pages()) {
        None => 0,
        Some(Ok(pages)) => pages.len(),
        Some(Err(e)) => {
            tracing::warn!("cannot count my open pages for the tray: {e}");
            return;
        }
    };
    let mut shown = tray.shown.lock().unwrap_or_else(|p| p.into_inner());
    if *shown == Some(n) {
        return;
    }
    let title = (n > 0).then(|| n.to_string());
    let results = [
        tray.icon.set_tooltip(Some(tooltip(n))),
        tray.icon.set_title(title),
        tray.count.set_text(summary(n, true)),
    ];
    match results.into_iter().find_map(Result::err) {
        None => *shown = Some(n),
        Some(e) => tracing::warn!("cannot update the tray icon: {e}"),
    }
}

fn tooltip(n: usize) -> String {
    format!("opsdeck — {}", summary(n, false))
}

fn summary(n: usize, capital: bool) -> String {
    match (n, capital) {
        (0, false) => "no open pages".into(),
        (0, true) => "No open pages".into(),
        (1, _) => "1 open page assigned to you".into(),
        (n, _) => format!("{n} open pages assigned to you"),
    }
}

#[cfg(test)]
mod tests {
    use super::{summary, tooltip};

    #[test]
    fn the_count_reads_as_a_sentence() {
        assert_eq!(tooltip(0), "opsdeck — no open pages");
        assert_eq!(tooltip(1), "opsdeck — 1 open page assigned to you");
        assert_eq!(tooltip(2), "opsdeck — 2 open pages assigned to you");
        assert_eq!(summary(0, true), "No open pages");
    }
}
