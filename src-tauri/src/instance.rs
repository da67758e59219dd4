//! One opsdeck per user (two would page twice): a second launch hands over to the first, which
//! comes to the front, and exits.
//!
//! On Linux the plugin owns a D-Bus name on the session bus. By default that name is the app's
//! identifier alone, so any two opsdecks on one bus would collide — including test runs with
//! private HOMEs beside each other or beside the developer's own opsdeck. The name therefore also
//! carries a hash of the data directory (`$XDG_DATA_HOME/opsdeck`, where the cache lives): one
//! per user in practice, and a private one for every private home. Without a session bus the
//! plugin finds nobody and the app starts normally (macOS and Windows key on the identifier).

use tauri::plugin::TauriPlugin;
use tauri::{AppHandle, Wry};

use crate::args::HIDDEN;

pub fn plugin(identifier: &str) -> TauriPlugin<Wry> {
    let data_dir = opsdeck_engine::paths::default_db_path()
        .parent()
        .map(|d| d.as_os_str().as_encoded_bytes().to_vec())
        .unwrap_or_default();
    tauri_plugin_single_instance::Builder::new()
        .dbus_id(dbus_id(identifier, &data_dir))
        .callback(second_launch)
        .build()
}

/// The first instance hears about the second one's launch: show the window, unless it was the
/// login session starting opsdeck again.
fn second_launch(app: &AppHandle, argv: Vec<String>, _cwd: String) {
    tracing::info!("opsdeck was launched again; bringing this instance to the front");
    if !argv.iter().any(|a| a == HIDDEN) {
        crate::window::show(app);
    }
}

/// `dev.opsdeck.desktop.data_<16 hex>`: a valid D-Bus name (elements of letters, digits and `_`,
/// none starting with a digit); the plugin appends `.SingleInstance`.
fn dbus_id(identifier: &str, data_dir: &[u8]) -> String {
    format!("{identifier}.data_{:016x}", fnv1a(data_dir))
}

/// FNV-1a: stable across builds and Rust versions, so an upgraded opsdeck finds the old one.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::{dbus_id, fnv1a};

    #[test]
    fn the_bus_name_is_per_data_directory_and_stable() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        let a = dbus_id("dev.opsdeck.desktop", b"/home/sam/.local/share/opsdeck");
        let b = dbus_id("dev.opsdeck.desktop", b"/tmp/t1/data/opsdeck");
        assert_ne!(a, b);
        assert!(a.starts_with("dev.opsdeck.desktop.data_"), "{a}");
        assert_eq!(a.len(), "dev.opsdeck.desktop.data_".len() + 16);
    }
}
