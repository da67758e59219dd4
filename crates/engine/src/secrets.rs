//! Where tokens come from: the environment or the OS keychain (Secret Service on Linux,
//! Keychain on macOS, Credential Manager on Windows) — or, for the simulator's loopback URLs
//! only, a literal in the config. Tokens never reach the store, logs or error text.

use crate::config::SourceConfig;

/// The keychain "service" under which opsdeck's entries live.
pub const KEYRING_SERVICE: &str = "opsdeck";

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("source {source_name}: environment variable {var} is not set")]
    MissingEnv { source_name: String, var: String },
    #[error("source {source_name}: no token in the keychain under {entry:?}; store one with `opsdeck auth set {entry}`")]
    MissingKeyring { source_name: String, entry: String },
    #[error("source {source_name}: cannot read the keychain: {message}")]
    Keyring {
        source_name: String,
        message: String,
    },
    #[error("source {source_name}: no token configured (set token_env or token_keyring)")]
    None { source_name: String },
    #[error("source {source_name}: no GitHub token: set GITHUB_TOKEN, log in with `gh auth login`, or set token_env or token_keyring")]
    NoGithubToken { source_name: String },
    #[error("cannot store the token in the keychain: {0}")]
    Store(String),
}

/// The token of a source, if it needs one.
pub fn resolve_token(source: &SourceConfig) -> Result<String, SecretError> {
    let name = source.name().to_string();
    if let Some(token) = &source.token {
        return Ok(token.clone());
    }
    if let Some(var) = &source.token_env {
        return match std::env::var(var) {
            Ok(v) if !v.trim().is_empty() => Ok(v.trim().to_string()),
            _ => Err(SecretError::MissingEnv {
                source_name: name,
                var: var.clone(),
            }),
        };
    }
    if let Some(entry) = &source.token_keyring {
        let e = keyring::Entry::new(KEYRING_SERVICE, entry).map_err(|e| SecretError::Keyring {
            source_name: name.clone(),
            message: e.to_string(),
        })?;
        return match e.get_password() {
            Ok(v) => Ok(v),
            Err(keyring::Error::NoEntry) => Err(SecretError::MissingKeyring {
                source_name: name,
                entry: entry.clone(),
            }),
            Err(e) => Err(SecretError::Keyring {
                source_name: name,
                message: e.to_string(),
            }),
        };
    }
    if source.kind == opsdeck_domain::SourceKind::Github {
        return github_fallback().ok_or(SecretError::NoGithubToken { source_name: name });
    }
    Err(SecretError::None { source_name: name })
}

/// Where GitHub's own tools keep a token, when the config names none: `GITHUB_TOKEN` (also
/// what Actions sets), then the GitHub CLI's login (`gh auth token`) when `gh` is installed.
fn github_fallback() -> Option<String> {
    if let Ok(v) = std::env::var("GITHUB_TOKEN") {
        if !v.trim().is_empty() {
            return Some(v.trim().to_string());
        }
    }
    let out = std::process::Command::new("gh")
        .args(["auth", "token"])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let token = String::from_utf8(out.stdout).ok()?;
    (out.status.success() && !token.trim().is_empty()).then(|| token.trim().to_string())
}

/// Stores `token` in the OS keychain under `entry` (what `opsdeck auth set` does).
pub fn store_token(entry: &str, token: &str) -> Result<(), SecretError> {
    let e = keyring::Entry::new(KEYRING_SERVICE, entry)
        .map_err(|e| SecretError::Store(e.to_string()))?;
    e.set_password(token)
        .map_err(|e| SecretError::Store(e.to_string()))
}
