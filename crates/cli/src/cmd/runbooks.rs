//! `opsdeck runbooks [--json]`: the runbook library and what each runbook is linked to;
//! `opsdeck runbook render FILE`: the sanitized HTML the app shows for one runbook.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use opsdeck_engine::config::RunbooksConfig;
use opsdeck_engine::ConfigError;
use opsdeck_runbooks::{links, read_runbook, render_html, Library, LoadProblem};
use serde_json::json;

use super::Global;
use crate::exit::Failure;

#[derive(Args)]
pub struct RunbooksArgs {
    /// One JSON object: `runbooks[]` (slug, title, path, services, alerts, aliases, tags,
    /// steps, links) and `problems[]` (path, line, message).
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
pub enum RunbookCommand {
    /// Print the sanitized HTML the app shows for a runbook file.
    Render {
        /// A runbook's Markdown file.
        file: PathBuf,
    },
    /// Print a run's "this step was wrong" edits as a unified diff of its runbook (for
    /// `git apply` in the runbook folder).
    Patch {
        /// The run's id (`run-…`).
        run: String,
    },
}

/// The configured folders; without a config, the default one (the library needs no sources).
fn folders(global: &Global) -> Result<Vec<PathBuf>, Failure> {
    let path = global.config_path();
    match opsdeck_engine::Config::load(&path) {
        Ok(config) => Ok(config.runbooks.folders()),
        Err(ConfigError::Read { source, .. })
            if source.kind() == std::io::ErrorKind::NotFound && global.config.is_none() =>
        {
            Ok(RunbooksConfig::default().folders())
        }
        Err(_) => global.load_config().map(|(c, _)| c.runbooks.folders()),
    }
}

fn problem_json(p: &LoadProblem) -> serde_json::Value {
    json!({"path": p.path, "line": p.line, "message": p.message})
}

pub fn list(global: &Global, args: RunbooksArgs) -> Result<(), Failure> {
    let library = Library::load(&folders(global)?);
    let mut problems: Vec<LoadProblem> = library.problems().to_vec();
    problems.extend(library.warnings());
    let mut out = std::io::stdout().lock();
    let written = if args.json {
        let runbooks: Vec<serde_json::Value> = library
            .runbooks()
            .iter()
            .map(|r| {
                json!({
                    "slug": r.slug,
                    "title": r.title,
                    "path": r.path,
                    "services": r.services,
                    "alerts": r.alerts,
                    "aliases": r.aliases,
                    "tags": r.tags,
                    "steps": r.step_count(),
                    "links": links(r),
                })
            })
            .collect();
        let body = json!({
            "folders": library.folders(),
            "runbooks": runbooks,
            "problems": problems.iter().map(problem_json).collect::<Vec<_>>(),
        });
        serde_json::to_writer_pretty(&mut out, &body)
            .map_err(std::io::Error::from)
            .and_then(|_| writeln!(out))
    } else {
        (|| {
            if library.runbooks().is_empty() {
                let shown: Vec<String> = library
                    .folders()
                    .iter()
                    .map(|f| f.display().to_string())
                    .collect();
                writeln!(out, "no runbooks in {}", shown.join(", "))?;
            }
            for r in library.runbooks() {
                writeln!(out, "{}  {} ({} steps)", r.slug, r.title, r.step_count())?;
                for link in links(r) {
                    writeln!(out, "    {link}")?;
                }
                if r.services.is_empty() && r.alerts.is_empty() && r.aliases.is_empty() {
                    writeln!(
                        out,
                        "    linked to nothing: add services, alerts or aliases"
                    )?;
                }
            }
            Ok(())
        })()
    };
    // Problems go to stderr, so a script reading stdout still gets the whole listing.
    for p in &problems {
        eprintln!("warning: {p}");
    }
    match written {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(|e| Failure::failed(format!("cannot write the list: {e}"))),
    }
}

pub fn run(global: &Global, command: RunbookCommand) -> Result<(), Failure> {
    match command {
        RunbookCommand::Patch { run } => {
            let cockpit = global.open()?;
            let patch = cockpit.run_patch(&run).map_err(|e| {
                if e.is_bad_input() {
                    Failure::usage(e.to_string())
                } else {
                    Failure::failed(e.to_string())
                }
            })?;
            match patch {
                Some(patch) => {
                    let mut out = std::io::stdout().lock();
                    match out.write_all(patch.as_bytes()) {
                        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                        other => other
                            .map_err(|e| Failure::failed(format!("cannot write the patch: {e}"))),
                    }
                }
                None => {
                    eprintln!("run {run} has no suggested edits");
                    Ok(())
                }
            }
        }
        RunbookCommand::Render { file } => {
            // A file that cannot be read or parsed is bad input, named with its line.
            let runbook = read_runbook(&file).map_err(|p| Failure::usage(p.to_string()))?;
            let mut out = std::io::stdout().lock();
            match out.write_all(render_html(&runbook).as_bytes()) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                other => other.map_err(|e| Failure::failed(format!("cannot write the HTML: {e}"))),
            }
        }
    }
}
