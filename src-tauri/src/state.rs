//! What the shell keeps between commands.

use std::path::PathBuf;

pub struct Shell {
    pub config_path: PathBuf,
}
