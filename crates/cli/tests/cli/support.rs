//! Shared plumbing: sandboxes that keep every child away from the real user's config, keychain
//! and session bus; guards that kill children even when a test panics; waits with deadlines.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;
use tempfile::TempDir;

/// Generous: the debug binary on 2 shared cores can be slow to start, and `sync --once` against
/// a closed port retries with backoff before giving up.
pub const RUN_DEADLINE: Duration = Duration::from_secs(60);
/// How long `opsdeck sim` may take to print its ready line.
pub const READY_DEADLINE: Duration = Duration::from_secs(30);

pub fn opsdeck() -> &'static str {
    env!("CARGO_BIN_EXE_opsdeck")
}

/// The shared day (must keep loading unchanged), else the repository's own copy.
pub fn scenario_path() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = manifest.join("../../../shared/scenarios/day-in-the-life.yaml");
    if shared.is_file() {
        return shared;
    }
    let own = manifest.join("../sim/scenarios/day-in-the-life.yaml");
    assert!(
        own.is_file(),
        "no day-in-the-life.yaml at {} or {}",
        shared.display(),
        own.display()
    );
    own
}

/// A port nobody listens on right now: bound by the OS, then released. Another process could
/// grab it in between, but ephemeral ports are handed out round-robin, so that is rare.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    listener.local_addr().expect("local addr").port()
}

/// A temporary HOME with its own XDG dirs. Every child gets these, and a session bus address
/// that points at nothing unless a test supplies its own private bus, so no test can read or
/// write the real user's config, cache, keychain or notifications.
pub struct Sandbox {
    pub dir: TempDir,
    pub bus: Option<String>,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let dir = tempfile::Builder::new()
            .prefix("opsdeck-cli-test")
            .tempdir()
            .expect("temp dir");
        for sub in ["home", "config", "data", "runtime"] {
            std::fs::create_dir_all(dir.path().join(sub)).expect("create sandbox dir");
        }
        // The runtime dir must be private, as XDG requires; D-Bus and keyring code checks.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(
                dir.path().join("runtime"),
                std::fs::Permissions::from_mode(0o700),
            )
            .expect("chmod runtime dir");
        }
        Sandbox { dir, bus: None }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, text).expect("write sandbox file");
        path
    }

    pub fn command(&self) -> Command {
        let mut cmd = Command::new(opsdeck());
        cmd.current_dir(self.dir.path())
            .env("HOME", self.path("home"))
            .env("XDG_CONFIG_HOME", self.path("config"))
            .env("XDG_DATA_HOME", self.path("data"))
            .env("XDG_RUNTIME_DIR", self.path("runtime"))
            .env(
                "DBUS_SESSION_BUS_ADDRESS",
                self.bus
                    .clone()
                    .unwrap_or_else(|| format!("unix:path={}", self.path("no-bus").display())),
            )
            // Without a display, libdbus-style autolaunch has nothing to start a bus for.
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            // The default log level, and no colour hint: piped stderr must be plain by itself.
            .env_remove("OPSDECK_LOG")
            .env_remove("NO_COLOR")
            .stdin(Stdio::null());
        cmd
    }

    /// Runs `opsdeck ARGS` to completion (killed after RUN_DEADLINE).
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with_stdin(args, None)
    }

    pub fn run_with_stdin(&self, args: &[&str], stdin: Option<&str>) -> Run {
        let mut cmd = self.command();
        cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
        if stdin.is_some() {
            cmd.stdin(Stdio::piped());
        }
        let mut child = ChildGuard::spawn(cmd, "opsdeck");
        if let Some(text) = stdin {
            let mut pipe = child.child.stdin.take().expect("stdin pipe");
            pipe.write_all(text.as_bytes()).expect("write stdin");
        }
        // Read both pipes on threads so a chatty child never blocks on a full pipe.
        let out = drain(child.child.stdout.take().expect("stdout pipe"));
        let err = drain(child.child.stderr.take().expect("stderr pipe"));
        let status = child
            .wait_deadline(RUN_DEADLINE)
            .unwrap_or_else(|| panic!("opsdeck {args:?} did not finish within {RUN_DEADLINE:?}"));
        let output = Output {
            status,
            stdout: out.join().expect("stdout reader"),
            stderr: err.join().expect("stderr reader"),
        };
        Run {
            args: args.iter().map(|a| a.to_string()).collect(),
            output,
        }
    }
}

fn drain(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = pipe.read_to_end(&mut buf);
        buf
    })
}

/// A finished `opsdeck` run, with helpers whose panics show everything it printed.
pub struct Run {
    pub args: Vec<String>,
    pub output: Output,
}

impl Run {
    pub fn code(&self) -> Option<i32> {
        self.output.status.code()
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }
    pub fn describe(&self) -> String {
        format!(
            "opsdeck {:?} exited {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.args,
            self.code(),
            self.stdout(),
            self.stderr()
        )
    }
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(self.code(), Some(code), "{}", self.describe());
        self
    }
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout())
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.describe()))
    }
}

/// Kills (and reaps) the child when dropped, so no test leaves a process behind, even on panic.
pub struct ChildGuard {
    pub child: Child,
    what: String,
}

impl ChildGuard {
    pub fn spawn(mut cmd: Command, what: &str) -> ChildGuard {
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
        ChildGuard {
            child,
            what: what.to_string(),
        }
    }

    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Polls until the child exits or the deadline passes (None: still running).
    pub fn wait_deadline(&mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + limit;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return Some(status),
                Ok(None) if Instant::now() >= deadline => return None,
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                Err(e) => panic!("waiting for {}: {e}", self.what),
            }
        }
    }

    /// Asks the child to stop as a process manager would (SIGTERM).
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -TERM {} failed", self.id());
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// A running `opsdeck sim` and what its ready line said.
pub struct Sim {
    pub guard: ChildGuard,
    pub ready: Value,
    pub config: PathBuf,
    stdout: Option<mpsc::Receiver<String>>,
}

/// Options of `opsdeck sim` beyond the shared scenario and date.
pub struct SimArgs<'a> {
    pub at: &'a str,
    pub port_base: Option<u16>,
    pub config_name: &'a str,
    /// `--alertmanager URL`: a real Alertmanager to post the alerts to.
    pub alertmanager: Option<&'a str>,
}

pub const DATE: &str = "2026-11-22";

impl Sim {
    /// The shared day frozen at `at`, its config written to `sim.toml` in the sandbox.
    pub fn frozen(sandbox: &Sandbox, at: &str) -> Sim {
        Sim::start(
            sandbox,
            SimArgs {
                at,
                port_base: None,
                config_name: "sim.toml",
                alertmanager: None,
            },
        )
    }

    /// Starts the simulator on the shared day, frozen, and waits for its ready line.
    pub fn start(sandbox: &Sandbox, args: SimArgs<'_>) -> Sim {
        let config = sandbox.path(args.config_name);
        let scenario = scenario_path();
        let mut cmd = sandbox.command();
        cmd.arg("sim")
            .arg("--scenario")
            .arg(&scenario)
            .args([
                "--date",
                DATE,
                "--at",
                args.at,
                "--speed",
                "0",
                "--config-out",
            ])
            .arg(&config)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(p) = args.port_base {
            cmd.args(["--port-base", &p.to_string()]);
        }
        if let Some(url) = args.alertmanager {
            cmd.args(["--alertmanager", url]);
        }
        let mut guard = ChildGuard::spawn(cmd, "opsdeck sim");
        let stderr = drain(guard.child.stderr.take().expect("stderr pipe"));
        let lines = lines_of(guard.child.stdout.take().expect("stdout pipe"));
        let line = match lines.recv_timeout(READY_DEADLINE) {
            Ok(line) => line,
            Err(_) => {
                // Not ready: stop it so its stderr ends, then show why.
                drop(guard);
                let err = String::from_utf8_lossy(&stderr.join().unwrap_or_default()).into_owned();
                panic!(
                    "opsdeck sim printed no ready line within {READY_DEADLINE:?}; stderr:\n{err}"
                );
            }
        };
        let ready: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("ready line is not JSON ({e}): {line}"));
        Sim {
            guard,
            ready,
            config,
            stdout: Some(lines),
        }
    }

    /// SIGTERM, then the process must exit (successfully) within a deadline.
    pub fn stop(mut self) -> ExitStatus {
        self.guard.terminate();
        let status = self
            .guard
            .wait_deadline(Duration::from_secs(15))
            .expect("opsdeck sim did not exit within 15 s of SIGTERM");
        // Nothing more should come; dropping the receiver lets the reader thread end.
        self.stdout.take();
        status
    }
}

fn lines_of(stdout: ChildStdout) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}
