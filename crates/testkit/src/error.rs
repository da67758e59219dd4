use std::path::PathBuf;
use std::process::ExitStatus;
use std::time::Duration;

/// Why a server could not be started or restarted. Each message carries what is needed to fix
/// it: the missing package, or the server's own last words on stderr.
#[derive(Debug, thiserror::Error)]
pub enum TestkitError {
    #[error(
        "{what} is not installed (looked for {tried} on PATH): run scripts/setup.sh, which \
         installs Debian's `{package}` package"
    )]
    Missing {
        what: &'static str,
        tried: String,
        package: &'static str,
    },
    #[error("cannot prepare {what}'s files in {path}: {source}")]
    Files {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot start {what} ({binary}): {source}")]
    Spawn {
        what: &'static str,
        binary: PathBuf,
        source: std::io::Error,
    },
    #[error("{what} exited ({status}) before it was ready on port {port}; its stderr:\n{stderr}")]
    Exited {
        what: &'static str,
        port: u16,
        status: ExitStatus,
        stderr: String,
    },
    #[error("{what} was not ready on port {port} within {waited:?}; its stderr:\n{stderr}")]
    NotReady {
        what: &'static str,
        port: u16,
        waited: Duration,
        stderr: String,
    },
    #[error("no free loopback port for {what}: {source}")]
    NoPort {
        what: &'static str,
        source: std::io::Error,
    },
    #[error("{what}: {message}")]
    Usage { what: &'static str, message: String },
    #[error("{what} failed ({status}); its output:\n{output}")]
    Tool {
        what: &'static str,
        status: ExitStatus,
        output: String,
    },
}
