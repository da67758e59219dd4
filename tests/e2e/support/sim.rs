//! `opsdeck sim` as a child process: the real command, started the way a user would, with the
//! JSON line it prints once everything listens.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub struct Sim {
    child: Child,
    pub config: PathBuf,
    pub ready: serde_json::Value,
}

impl Sim {
    /// Starts the simulator on the repository's bundled day and waits for its ready line.
    pub fn start(out: &Path, args: &[&str]) -> Sim {
        let bin = opsdeck_binary();
        let scenario =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/sim/scenarios/day-in-the-life.yaml");
        let config = out.join("opsdeck-sim.toml");
        let stderr = std::fs::File::create(out.join("sim.log")).expect("create sim.log");
        let mut child = Command::new(&bin)
            .arg("sim")
            .arg("--scenario")
            .arg(&scenario)
            .args(args)
            .arg("--config-out")
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| {
                panic!(
                    "opsdeck sim printed no ready line within 30 s (see {})",
                    out.join("sim.log").display()
                )
            });
        let ready: serde_json::Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("ready line is not JSON ({e}): {line:?}"));
        Sim {
            child,
            config,
            ready,
        }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `opsdeck` binary of this build (another package's binary: built by `cargo build
/// --workspace --bins`, which scripts/test.sh runs before the tests).
pub fn opsdeck_binary() -> PathBuf {
    let desktop = super::desktop_binary();
    let bin = desktop.with_file_name("opsdeck");
    assert!(
        bin.exists(),
        "{} is missing: build it first with `cargo build --workspace --bins` (scripts/test.sh does)",
        bin.display()
    );
    bin
}
