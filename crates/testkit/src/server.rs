//! One server process on a loopback port: started, waited for until its readiness endpoint
//! answers 200 (with a deadline, never a fixed sleep), its stderr kept for failure messages,
//! stopped and restarted on the same port, and killed on drop.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::TestkitError;

/// How long a server may take to become ready. Both are ready in well under a second on an
/// idle machine; the margin is for a loaded 2-core CI machine compiling beside the tests.
pub const READY_DEADLINE: Duration = Duration::from_secs(30);
/// Between two readiness probes.
const PROBE_EVERY: Duration = Duration::from_millis(20);
/// Lines of stderr kept for error messages.
const STDERR_LINES: usize = 200;
/// Fresh ports tried when another process grabs the one picked before the server binds it.
const PORT_ATTEMPTS: usize = 3;

/// Which server, and how to find and start it.
pub(crate) struct Kind {
    pub what: &'static str,
    /// Executable names tried in order on PATH.
    pub binaries: &'static [&'static str],
    /// The Debian package that provides it, for the "not installed" message.
    pub package: &'static str,
    /// The arguments for a given port (the listen address among them).
    pub args: Box<dyn Fn(u16) -> Vec<OsString> + Send + Sync>,
}

/// Finds the first of `kind.binaries` on PATH.
pub(crate) fn find_binary(kind: &Kind) -> Result<PathBuf, TestkitError> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    kind.binaries
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|candidate| is_executable(candidate))
        .ok_or_else(|| TestkitError::Missing {
            what: kind.what,
            tried: kind.binaries.join(", "),
            package: kind.package,
        })
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// The last lines a server wrote to stderr, shared with the thread that reads them.
#[derive(Debug, Default, Clone)]
pub(crate) struct StderrTail(Arc<Mutex<VecDeque<String>>>);

impl StderrTail {
    fn push(&self, line: String) {
        let mut lines = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if lines.len() == STDERR_LINES {
            lines.pop_front();
        }
        lines.push_back(line);
    }

    pub fn text(&self) -> String {
        let lines = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        lines.iter().cloned().collect::<Vec<_>>().join("\n")
    }
}

/// A server process on a loopback port: what [`crate::Alertmanager`] and [`crate::Prometheus`]
/// dereference to for their address, logs, stop and restart.
pub struct Server {
    kind: Kind,
    binary: PathBuf,
    port: u16,
    child: Option<Child>,
    stderr: StderrTail,
}

impl Server {
    /// Starts the server on a free loopback port and waits until it is ready.
    pub(crate) fn start(kind: Kind) -> Result<Server, TestkitError> {
        Server::start_on(kind, None)
    }

    /// As [`Server::start`], on `port` when given (one attempt: a taken port is an error).
    pub(crate) fn start_on(kind: Kind, port: Option<u16>) -> Result<Server, TestkitError> {
        let binary = find_binary(&kind)?;
        let mut server = Server {
            kind,
            binary,
            port: 0,
            child: None,
            stderr: StderrTail::default(),
        };
        if let Some(port) = port {
            server.port = port;
            server.launch()?;
            return Ok(server);
        }
        let mut attempt = 1;
        loop {
            server.port = free_port(server.kind.what)?;
            server.stderr = StderrTail::default();
            match server.launch() {
                Ok(()) => return Ok(server),
                // Another process bound the port between our probe and the server's own bind.
                Err(TestkitError::Exited { ref stderr, .. })
                    if stderr.contains("address already in use") && attempt < PORT_ATTEMPTS =>
                {
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// What it wrote to stderr (the last lines), for failure messages.
    pub fn stderr(&self) -> String {
        self.stderr.text()
    }

    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// Kills the server (as a crash would) and waits for it to be gone, so its port refuses
    /// connections and is free again.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // Already exited is fine: the point is that it no longer runs.
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port, with the same files.
    pub fn restart(&mut self) -> Result<(), TestkitError> {
        self.stop();
        self.launch()
    }

    fn launch(&mut self) -> Result<(), TestkitError> {
        let mut child = Command::new(&self.binary)
            .args((self.kind.args)(self.port))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| TestkitError::Spawn {
                what: self.kind.what,
                binary: self.binary.clone(),
                source,
            })?;
        if let Some(stderr) = child.stderr.take() {
            let tail = self.stderr.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines() {
                    match line {
                        Ok(line) => tail.push(line),
                        Err(_) => break,
                    }
                }
            });
        }
        self.child = Some(child);
        self.wait_ready()
    }

    fn wait_ready(&mut self) -> Result<(), TestkitError> {
        let started = Instant::now();
        loop {
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    self.child = None;
                    // The reader thread may still be draining the pipe: wait for its last
                    // lines, which hold the reason, within the same deadline.
                    let stderr = self.settled_stderr(started);
                    return Err(TestkitError::Exited {
                        what: self.kind.what,
                        port: self.port,
                        status,
                        stderr,
                    });
                }
            }
            if ready(self.port) {
                return Ok(());
            }
            if started.elapsed() >= READY_DEADLINE {
                let stderr = self.stderr();
                self.stop();
                return Err(TestkitError::NotReady {
                    what: self.kind.what,
                    port: self.port,
                    waited: READY_DEADLINE,
                    stderr,
                });
            }
            std::thread::sleep(PROBE_EVERY);
        }
    }

    /// The stderr once it stops growing (the reader thread has seen the pipe close), or at the
    /// deadline.
    fn settled_stderr(&self, started: Instant) -> String {
        let mut text = self.stderr();
        while started.elapsed() < READY_DEADLINE {
            std::thread::sleep(PROBE_EVERY);
            let now = self.stderr();
            if now == text {
                break;
            }
            text = now;
        }
        text
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A port nobody listens on right now. The listener is closed before the server binds it, so
/// another process could take it in between: [`Server::start`] retries on a new one then.
fn free_port(what: &'static str) -> Result<u16, TestkitError> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|source| TestkitError::NoPort { what, source })
}

/// `GET /-/ready` answers 200: both Prometheus and Alertmanager have this endpoint.
fn ready(port: u16) -> bool {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_secs(1)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = format!("GET /-/ready HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.") && &head[9..12] == b"200"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_binary_says_to_run_setup() {
        let kind = Kind {
            what: "Alertmanager",
            binaries: &["opsdeck-testkit-no-such-binary"],
            package: "prometheus-alertmanager",
            args: Box::new(|_| Vec::new()),
        };
        let err = find_binary(&kind).expect_err("no such binary");
        let text = err.to_string();
        assert!(text.contains("scripts/setup.sh"), "{text}");
        assert!(text.contains("opsdeck-testkit-no-such-binary"), "{text}");
        assert!(text.contains("prometheus-alertmanager"), "{text}");
    }

    #[test]
    fn the_stderr_tail_keeps_the_last_lines() {
        let tail = StderrTail::default();
        for i in 0..STDERR_LINES + 5 {
            tail.push(format!("line {i}"));
        }
        let text = tail.text();
        assert!(text.starts_with("line 5\n"), "{}", &text[..20]);
        assert!(text.ends_with(&format!("line {}", STDERR_LINES + 4)));
    }
}
