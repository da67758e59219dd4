//! One module per subcommand; shared plumbing here.

pub mod action;
pub mod auth;
pub mod doctor;
pub mod history;
pub mod runbooks;
pub mod shifts;
pub mod sim;
pub mod sync;
pub mod timeline;

use std::path::PathBuf;

use opsdeck_engine::{paths, Cockpit, CockpitError, CockpitOptions, Config, ConfigError};

use crate::exit::Failure;

pub struct Global {
    pub config: Option<PathBuf>,
    pub db: Option<PathBuf>,
}

impl Global {
    pub fn config_path(&self) -> PathBuf {
        self.config
            .clone()
            .unwrap_or_else(paths::default_config_path)
    }

    pub fn load_config(&self) -> Result<(Config, PathBuf), Failure> {
        let path = self.config_path();
        match Config::load(&path) {
            Ok(c) => Ok((c, path)),
            Err(ConfigError::Read { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => Err(Failure::usage(format!(
                "no config at {}: write one (see the README's \"Configuration\"), or run `opsdeck demo` and pass --config opsdeck-sim.toml",
                path.display()
            ))),
            Err(e @ ConfigError::Read { .. }) => Err(Failure::failed(e.to_string())),
            Err(e) => Err(Failure::usage(e.to_string())),
        }
    }

    pub fn open(&self) -> Result<Cockpit, Failure> {
        let (config, config_path) = self.load_config()?;
        let db_path = paths::db_path_for(&config, &config_path, self.db.as_deref());
        Cockpit::open(CockpitOptions {
            config,
            config_path,
            db_path,
            notifier: None,
        })
        .map_err(|e| match e {
            CockpitError::Sources(_) | CockpitError::Config(_) => Failure::usage(e.to_string()),
            other => Failure::failed(other.to_string()),
        })
    }
}

/// Resolves on Ctrl-C or SIGTERM (how people, tests and process managers stop a long-running
/// command). On Unix the handlers are installed here, before the caller announces that it is
/// ready: a signal sent as soon as the ready line appears must stop the command gracefully
/// rather than kill it with the default action.
pub fn stop_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let term = signal(SignalKind::terminate());
        let int = signal(SignalKind::interrupt());
        async move {
            match (term, int) {
                (Ok(mut term), Ok(mut int)) => {
                    tokio::select! {
                        _ = term.recv() => {}
                        _ = int.recv() => {}
                    }
                }
                _ => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    {
        let ctrl_c = tokio::signal::ctrl_c();
        async move {
            let _ = ctrl_c.await;
        }
    }
}
