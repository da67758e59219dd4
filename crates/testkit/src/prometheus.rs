//! A real Prometheus (Debian's `prometheus`) on loopback, with a given config and rule files,
//! or seeded with series from an OpenMetrics text.

use std::ffi::OsString;
use std::path::Path;

use tempfile::TempDir;

use crate::server::{find_binary, Kind, Server};
use crate::TestkitError;

const WHAT: &str = "Prometheus";

/// A running Prometheus with its own temporary directory (config, rules, TSDB), killed on drop.
/// Alerts are resent every second (`--rules.alert.resend-delay=1s`) instead of every minute, so
/// a firing rule reaches Alertmanager within seconds.
pub struct Prometheus {
    server: Server,
    dir: TempDir,
}

impl Prometheus {
    /// Starts one with `config` (prometheus.yml text) and `rules` (file name, rule-file text),
    /// and waits until `/-/ready` answers. The rule files are written to `<dir>/rules/` and a
    /// `rule_files` entry for them is appended to `config`, which must therefore not have its
    /// own.
    pub fn start(config: &str, rules: &[(&str, &str)]) -> Result<Prometheus, TestkitError> {
        Prometheus::start_with(config, rules, None, None)
    }

    /// Starts one whose TSDB first holds the series of `openmetrics` (an OpenMetrics text
    /// ending in `# EOF`, turned into blocks by `promtool tsdb create-blocks-from openmetrics`),
    /// listening on `port` when given. This is how the simulator serves a day's metrics.
    pub fn start_seeded(
        config: &str,
        openmetrics: &str,
        port: Option<u16>,
    ) -> Result<Prometheus, TestkitError> {
        Prometheus::start_with(config, &[], Some(openmetrics), port)
    }

    fn start_with(
        config: &str,
        rules: &[(&str, &str)],
        seed: Option<&str>,
        port: Option<u16>,
    ) -> Result<Prometheus, TestkitError> {
        let has_rule_files = config.lines().any(|l| l.starts_with("rule_files:"));
        if has_rule_files && !rules.is_empty() {
            return Err(TestkitError::Usage {
                what: WHAT,
                message: "the config lists its own rule_files; pass the rules either there or \
                          as `rules`, not both"
                    .into(),
            });
        }
        let dir = tempfile::Builder::new()
            .prefix("opsdeck-prometheus-")
            .tempdir()
            .map_err(|source| TestkitError::Files {
                what: WHAT,
                path: std::env::temp_dir(),
                source,
            })?;
        let write = |path: &Path, text: &str| {
            std::fs::write(path, text).map_err(|source| TestkitError::Files {
                what: WHAT,
                path: path.to_path_buf(),
                source,
            })
        };
        let rules_dir = dir.path().join("rules");
        std::fs::create_dir(&rules_dir).map_err(|source| TestkitError::Files {
            what: WHAT,
            path: rules_dir.clone(),
            source,
        })?;
        let mut config = config.to_string();
        if !rules.is_empty() {
            for (name, text) in rules {
                if name.contains(['/', '\\']) || name.starts_with('.') {
                    return Err(TestkitError::Usage {
                        what: WHAT,
                        message: format!("rule file name {name:?} must be a plain file name"),
                    });
                }
                write(&rules_dir.join(name), text)?;
            }
            if !config.ends_with('\n') {
                config.push('\n');
            }
            // JSON strings are valid YAML scalars, and quote any path safely.
            let pattern = rules_dir.join("*").to_string_lossy().into_owned();
            config.push_str(&format!("rule_files:\n  - {pattern:?}\n"));
        }
        let config_file = dir.path().join("prometheus.yml");
        write(&config_file, &config)?;
        let tsdb = dir.path().join("tsdb");
        if let Some(openmetrics) = seed {
            let data = dir.path().join("seed.om");
            write(&data, openmetrics)?;
            create_blocks(&data, &tsdb)?;
        }
        let server = Server::start_on(
            Kind {
                what: WHAT,
                binaries: &["prometheus"],
                package: "prometheus",
                args: Box::new(move |port| args(&config_file, &tsdb, port)),
            },
            port,
        )?;
        Ok(Prometheus { server, dir })
    }

    /// The config, rules and TSDB directory.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl std::ops::Deref for Prometheus {
    type Target = Server;
    fn deref(&self) -> &Server {
        &self.server
    }
}

impl std::ops::DerefMut for Prometheus {
    fn deref_mut(&mut self) -> &mut Server {
        &mut self.server
    }
}

/// `promtool tsdb create-blocks-from openmetrics DATA TSDB`.
fn create_blocks(data: &Path, tsdb: &Path) -> Result<(), TestkitError> {
    const TOOL: &str = "promtool";
    let binary = find_binary(&Kind {
        what: TOOL,
        binaries: &["promtool"],
        package: "prometheus",
        args: Box::new(|_| Vec::new()),
    })?;
    let output = std::process::Command::new(&binary)
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(data)
        .arg(tsdb)
        .output()
        .map_err(|source| TestkitError::Spawn {
            what: TOOL,
            binary: binary.clone(),
            source,
        })?;
    if output.status.success() {
        return Ok(());
    }
    let mut text = String::from_utf8_lossy(&output.stderr).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stdout));
    // promtool repeats itself per block; the last lines say what was wrong.
    let tail: Vec<&str> = text.lines().rev().take(20).collect();
    Err(TestkitError::Tool {
        what: TOOL,
        status: output.status,
        output: tail.into_iter().rev().collect::<Vec<_>>().join("\n"),
    })
}

fn args(config: &Path, tsdb: &Path, port: u16) -> Vec<OsString> {
    let flag = |name: &str, value: &Path| {
        let mut arg = OsString::from(format!("--{name}="));
        arg.push(value);
        arg
    };
    vec![
        flag("config.file", config),
        flag("storage.tsdb.path", tsdb),
        format!("--web.listen-address=127.0.0.1:{port}").into(),
        format!("--web.external-url=http://127.0.0.1:{port}").into(),
        "--rules.alert.resend-delay=1s".into(),
    ]
}
