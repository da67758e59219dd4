//! Default locations (XDG on Linux; the platform's conventions elsewhere via `directories`).

use std::path::PathBuf;

fn dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("dev", "opsdeck", "opsdeck")
}

/// `$XDG_CONFIG_HOME/opsdeck/config.toml` on Linux.
pub fn default_config_path() -> PathBuf {
    dirs()
        .map(|d| d.config_dir().join("config.toml"))
        .unwrap_or_else(|| PathBuf::from("opsdeck.toml"))
}

/// `$XDG_DATA_HOME/opsdeck/opsdeck.sqlite` on Linux.
pub fn default_db_path() -> PathBuf {
    dirs()
        .map(|d| d.data_dir().join("opsdeck.sqlite"))
        .unwrap_or_else(|| PathBuf::from("opsdeck.sqlite"))
}

/// The cache that belongs to a simulator config: beside it, so a demo never mixes with the
/// user's real history.
pub fn db_path_for_sim_config(config: &std::path::Path) -> PathBuf {
    config.with_extension("sqlite")
}

/// The cache for a config: `explicit` (`--db`) if given, else beside a simulator's config (a
/// demo never mixes with the real history), else the default data path.
pub fn db_path_for(
    config: &crate::Config,
    config_path: &std::path::Path,
    explicit: Option<&std::path::Path>,
) -> PathBuf {
    match explicit {
        Some(db) => db.to_path_buf(),
        None if config.is_simulated() => db_path_for_sim_config(config_path),
        None => default_db_path(),
    }
}

/// `$XDG_DATA_HOME/opsdeck/runbooks` on Linux: the runbook folder when the config names none.
pub fn default_runbooks_dir() -> PathBuf {
    dirs()
        .map(|d| d.data_dir().join("runbooks"))
        .unwrap_or_else(|| PathBuf::from("runbooks"))
}

/// Where exports (handoff reports, postmortem timelines) are written: the Downloads folder,
/// else the home folder, else the working directory.
pub fn export_dir() -> PathBuf {
    directories::UserDirs::new()
        .and_then(|u| {
            u.download_dir()
                .map(|d| d.to_path_buf())
                .or_else(|| Some(u.home_dir().to_path_buf()))
        })
        .unwrap_or_else(|| PathBuf::from("."))
}

pub use crate::config::write_atomically;
