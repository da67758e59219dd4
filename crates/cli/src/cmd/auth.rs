//! `opsdeck auth set SOURCE`: a token into the OS keychain, read without echo.

use std::io::{BufRead, IsTerminal};

use clap::Subcommand;
use opsdeck_engine::secrets::store_token;

use super::Global;
use crate::exit::Failure;

#[derive(Subcommand)]
pub enum AuthCommand {
    /// Read a token (without echo; or one line from standard input when it is not a terminal)
    /// and store it in the OS keychain under SOURCE.
    Set {
        /// The keychain entry name; use the same name as `token_keyring` in the config.
        source: String,
    },
}

pub fn run(_global: &Global, command: AuthCommand) -> Result<(), Failure> {
    match command {
        AuthCommand::Set { source } => {
            if source.trim().is_empty() {
                return Err(Failure::usage("SOURCE must not be empty"));
            }
            let token = read_token(&source)?;
            store_token(&source, &token).map_err(|e| Failure::failed(e.to_string()))?;
            eprintln!("stored the token for {source} in the keychain; use token_keyring = \"{source}\" in the config");
            Ok(())
        }
    }
}

fn read_token(source: &str) -> Result<String, Failure> {
    let token = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("token for {source}: "))
            .map_err(|e| Failure::failed(format!("cannot read the token: {e}")))?
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| Failure::failed(format!("cannot read the token: {e}")))?;
        line
    };
    let token = token.trim().to_string();
    if token.is_empty() {
        return Err(Failure::usage("no token given"));
    }
    Ok(token)
}
