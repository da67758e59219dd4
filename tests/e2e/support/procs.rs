//! Child processes with deadlines: started, waited on until a condition holds, killed on drop.

use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Kills (and reaps) the process when dropped, so a failing test leaves nothing behind.
pub struct Guard {
    pub name: &'static str,
    child: Child,
}

impl Guard {
    pub fn spawn(name: &'static str, cmd: &mut Command, log: &Path) -> Guard {
        let out = std::fs::File::create(log)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", log.display()));
        let err = out.try_clone().expect("clone log file handle");
        // Its own process group, so dropping the guard also ends what it started
        // (tauri-driver starts WebKitWebDriver, which starts the app).
        let child = cmd
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name} ({cmd:?}): {e}"));
        Guard { name, child }
    }

    /// Panics with the process's log if it has already exited: a dead helper explains a timeout.
    pub fn assert_running(&mut self, log: &Path) {
        if let Ok(Some(status)) = self.child.try_wait() {
            let text = std::fs::read_to_string(log).unwrap_or_default();
            panic!("{} exited early ({status}); its output:\n{text}", self.name);
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        // Best effort: the group may already be gone.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `cond` every 50 ms until it holds or `timeout` passes; the panic names what was awaited.
pub fn wait_until(what: &str, timeout: Duration, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !cond() {
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("bind an ephemeral loopback port")
}

pub fn port_open(port: u16) -> bool {
    TcpStream::connect(("127.0.0.1", port)).is_ok()
}

/// Finds a helper program: an explicit environment variable, then the folder `scripts/setup.sh`
/// installs cargo tools into, then PATH.
pub fn find_tool(name: &str, env_var: &str) -> PathBuf {
    if let Some(p) = std::env::var_os(env_var) {
        return PathBuf::from(p);
    }
    let local = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/tools/bin")
        .join(name);
    if local.exists() {
        return local;
    }
    for dir in std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()) {
        let p = dir.join(name);
        if p.exists() {
            return p;
        }
    }
    panic!("{name} not found (set {env_var}, or run scripts/setup.sh to install it)");
}

/// A private X server, so the tests never touch the user's display and can run in parallel.
pub struct Display {
    pub name: String,
    _guard: Guard,
}

impl Display {
    pub fn start(out: &Path) -> Display {
        let xvfb = find_tool("Xvfb", "OPSDECK_XVFB");
        // `-displayfd 1`: Xvfb itself takes the first free display number (creating its lock
        // atomically) and writes it to stdout, our log. Choosing a number here raced when tests
        // started their displays at the same moment.
        let log = out.join("xvfb.log");
        let mut guard = Guard::spawn(
            "Xvfb",
            Command::new(xvfb).args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ]),
            &log,
        );
        let mut num = String::new();
        wait_until("Xvfb's display number", Duration::from_secs(20), || {
            guard.assert_running(&log);
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            // Complete lines only: the number ends with a newline.
            match text
                .split_inclusive('\n')
                .filter(|l| l.ends_with('\n'))
                .map(str::trim)
                .find(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()))
            {
                Some(n) => {
                    num = n.to_string();
                    true
                }
                None => false,
            }
        });
        let socket = PathBuf::from(format!("/tmp/.X11-unix/X{num}"));
        wait_until("Xvfb's socket", Duration::from_secs(20), || {
            guard.assert_running(&log);
            socket.exists()
        });
        Display {
            name: format!(":{num}"),
            _guard: guard,
        }
    }
}
