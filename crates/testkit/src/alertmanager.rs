//! A real Alertmanager (Debian's `prometheus-alertmanager`) on loopback.

use std::ffi::OsString;
use std::path::Path;

use tempfile::TempDir;

use crate::server::{Kind, Server};
use crate::TestkitError;

/// One receiver that notifies nobody, so every alert routes somewhere without leaving the
/// machine.
pub const DEFAULT_CONFIG: &str = "\
route:
  receiver: opsdeck-test
receivers:
  - name: opsdeck-test
";

/// A running Alertmanager with its own temporary directory (config and storage), killed on
/// drop. No gossip port is opened (`--cluster.listen-address=` empty), so several run side by
/// side. Its address, logs, `stop` and `restart` are [`Server`]'s; the API is under
/// `/api/v2/`. After a restart alerts are gone (Alertmanager keeps them in memory) until someone
/// posts them again; silences survive only if it had written its snapshot before it stopped.
pub struct Alertmanager {
    server: Server,
    // Dropped after `server` (fields drop in order), so the process is gone before its files.
    dir: TempDir,
}

impl Alertmanager {
    /// Starts one with [`DEFAULT_CONFIG`].
    pub fn start() -> Result<Alertmanager, TestkitError> {
        Alertmanager::start_with_config(DEFAULT_CONFIG)
    }

    /// Starts one with `config` (alertmanager.yml text) and waits until `/-/ready` answers.
    pub fn start_with_config(config: &str) -> Result<Alertmanager, TestkitError> {
        const WHAT: &str = "Alertmanager";
        let dir = tempfile::Builder::new()
            .prefix("opsdeck-alertmanager-")
            .tempdir()
            .map_err(|source| TestkitError::Files {
                what: WHAT,
                path: std::env::temp_dir(),
                source,
            })?;
        let config_file = dir.path().join("alertmanager.yml");
        std::fs::write(&config_file, config).map_err(|source| TestkitError::Files {
            what: WHAT,
            path: config_file.clone(),
            source,
        })?;
        let storage = dir.path().join("data");
        let server = Server::start(Kind {
            what: WHAT,
            // Debian's name first, then the upstream binary's.
            binaries: &["prometheus-alertmanager", "alertmanager"],
            package: "prometheus-alertmanager",
            args: Box::new(move |port| args(&config_file, &storage, port)),
        })?;
        Ok(Alertmanager { server, dir })
    }

    /// The config and storage directory.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl std::ops::Deref for Alertmanager {
    type Target = Server;
    fn deref(&self) -> &Server {
        &self.server
    }
}

impl std::ops::DerefMut for Alertmanager {
    fn deref_mut(&mut self) -> &mut Server {
        &mut self.server
    }
}

fn args(config: &Path, storage: &Path, port: u16) -> Vec<OsString> {
    let flag = |name: &str, value: &Path| {
        let mut arg = OsString::from(format!("--{name}="));
        arg.push(value);
        arg
    };
    vec![
        flag("config.file", config),
        flag("storage.path", storage),
        format!("--web.listen-address=127.0.0.1:{port}").into(),
        // Empty: no cluster, so no gossip port to collide on.
        "--cluster.listen-address=".into(),
    ]
}
