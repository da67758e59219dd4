//! The desktop app's command line: `opsdeck-desktop [--demo] [--config FILE] [--db FILE]
//! [--hidden]`.

use std::path::PathBuf;

pub const USAGE: &str = "usage: opsdeck-desktop [--demo] [--config FILE] [--db FILE] [--hidden]";

/// Starts with the window hidden in the tray (what start at login runs).
pub const HIDDEN: &str = "--hidden";

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Args {
    pub demo: bool,
    pub config: Option<PathBuf>,
    pub db: Option<PathBuf>,
    pub hidden: bool,
}

impl Args {
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Args, String> {
        let mut out = Args::default();
        let mut it = args.into_iter();
        while let Some(a) = it.next() {
            match a.as_str() {
                "--demo" => out.demo = true,
                "--config" => out.config = Some(it.next().ok_or("--config needs a FILE")?.into()),
                "--db" => out.db = Some(it.next().ok_or("--db needs a FILE")?.into()),
                HIDDEN => out.hidden = true,
                other => return Err(format!("unknown argument {other:?}")),
            }
        }
        if out.demo && out.config.is_some() {
            return Err("--demo runs the bundled day; it cannot be combined with --config".into());
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(a: &[&str]) -> Result<Args, String> {
        Args::parse(a.iter().map(|s| s.to_string()))
    }

    #[test]
    fn flags_parse_and_mistakes_are_named() {
        assert_eq!(
            parse(&["--demo"]).unwrap(),
            Args {
                demo: true,
                ..Args::default()
            }
        );
        assert_eq!(
            parse(&["--config", "a.toml"]).unwrap().config,
            Some(PathBuf::from("a.toml"))
        );
        assert!(parse(&["--hidden"]).unwrap().hidden);
        assert!(parse(&["--config"]).unwrap_err().contains("--config"));
        assert!(parse(&["--frobnicate"])
            .unwrap_err()
            .contains("--frobnicate"));
        assert!(parse(&["--demo", "--config", "x"]).is_err());
    }
}
