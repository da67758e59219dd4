//! `opsdeck handoff`: a shift's handoff report (Markdown or the JSON of DESIGN.md's handoff
//! contract); `opsdeck shifts`: my shifts; `opsdeck shift start|stop`: a shift by hand;
//! `opsdeck postmortem INCIDENT`: an incident's timeline as Markdown.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use opsdeck_engine::ShiftError;

use super::Global;
use crate::exit::Failure;

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Markdown,
    Json,
}

#[derive(Args)]
pub struct HandoffArgs {
    /// The shift's id (`opsdeck shifts` lists them); default: the current shift, else the last
    /// ended.
    #[arg(long)]
    shift: Option<String>,
    #[arg(long, value_enum, default_value = "markdown")]
    format: Format,
    /// Write the report to FILE (atomically) instead of stdout.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Args)]
pub struct ShiftsArgs {
    /// One JSON array of shifts, newest first.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
pub enum ShiftCommand {
    /// Start a shift by hand (for teams without a PagerDuty schedule).
    Start,
    /// Stop the shift started by hand.
    Stop,
    /// Set the handoff's summary line and "watch next" items (replacing what was there).
    Edit {
        /// Default: the current shift, else the last ended.
        #[arg(long)]
        shift: Option<String>,
        #[arg(long)]
        summary: Option<String>,
        /// One "watch next" item; repeat for more.
        #[arg(long = "watch", value_name = "TEXT")]
        watch: Vec<String>,
    },
}

#[derive(Args)]
pub struct PostmortemArgs {
    /// The incident: its PagerDuty id or opsdeck entry id.
    incident: String,
    /// IANA timezone for the timestamps (default: the config's timezone).
    #[arg(long, value_name = "ZONE")]
    tz: Option<String>,
    /// Write the timeline to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

fn shift_failure(e: ShiftError) -> Failure {
    match e {
        ShiftError::Store(_) => Failure::failed(e.to_string()),
        other => Failure::usage(other.to_string()),
    }
}

fn emit(text: &str, out: Option<&PathBuf>) -> Result<(), Failure> {
    match out {
        Some(path) => opsdeck_engine::paths::write_atomically(path, text.as_bytes())
            .map_err(|e| Failure::failed(format!("cannot write {}: {e}", path.display()))),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
                .map_err(|e| Failure::failed(format!("cannot write to stdout: {e}")))
        }
    }
}

pub fn handoff(global: &Global, args: HandoffArgs) -> Result<(), Failure> {
    let cockpit = global.open()?;
    let report = cockpit
        .handoff(args.shift.as_deref())
        .map_err(shift_failure)?;
    let text = match args.format {
        Format::Markdown => cockpit.handoff_markdown(&report),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&report)
                .map_err(|e| Failure::failed(format!("cannot encode the report: {e}")))?;
            s.push('\n');
            s
        }
    };
    emit(&text, args.out.as_ref())
}

pub fn list(global: &Global, args: ShiftsArgs) -> Result<(), Failure> {
    let cockpit = global.open()?;
    let shifts = cockpit.shifts(1000).map_err(shift_failure)?;
    if args.json {
        let mut s = serde_json::to_string_pretty(&shifts)
            .map_err(|e| Failure::failed(format!("cannot encode the shifts: {e}")))?;
        s.push('\n');
        return emit(&s, None);
    }
    let tz = cockpit.timezone();
    let now = cockpit.now();
    let mut text = String::new();
    for s in &shifts {
        let end = match s.end {
            Some(e) => e.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(),
            None => "running".into(),
        };
        text.push_str(&format!(
            "{}  {} → {}  {}  {}{}\n",
            s.id,
            s.start.with_timezone(&tz).format("%Y-%m-%d %H:%M"),
            end,
            s.origin.as_str(),
            s.schedule.as_deref().unwrap_or("-"),
            if s.covers(now) { "  (now)" } else { "" }
        ));
    }
    if shifts.is_empty() {
        eprintln!(
            "no shifts yet: sync a PagerDuty source, or start one with `opsdeck shift start`"
        );
    }
    emit(&text, None)
}

pub fn shift(global: &Global, command: ShiftCommand) -> Result<(), Failure> {
    let cockpit = global.open()?;
    let tz = cockpit.timezone();
    match command {
        ShiftCommand::Start => {
            let s = cockpit.start_shift().map_err(shift_failure)?;
            println!(
                "{} started at {}",
                s.id,
                s.start.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z")
            );
        }
        ShiftCommand::Stop => {
            let s = cockpit.stop_shift().map_err(shift_failure)?;
            let end = s.end.unwrap_or(s.start);
            println!(
                "{} stopped at {}",
                s.id,
                end.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z")
            );
        }
        ShiftCommand::Edit {
            shift,
            summary,
            watch,
        } => {
            let id = match shift {
                Some(id) => id,
                None => {
                    cockpit
                        .current_shift()
                        .map_err(shift_failure)?
                        .ok_or_else(|| shift_failure(ShiftError::NoShift))?
                        .id
                }
            };
            let r = cockpit
                .edit_handoff(&id, summary.as_deref(), &watch)
                .map_err(shift_failure)?;
            println!(
                "{}: {} watch-next item(s) saved",
                r.shift.id,
                r.watch_next.len()
            );
        }
    }
    Ok(())
}

pub fn postmortem(global: &Global, args: PostmortemArgs) -> Result<(), Failure> {
    let tz = args
        .tz
        .as_deref()
        .map(|t| {
            t.parse::<chrono_tz::Tz>()
                .map_err(|_| Failure::usage(format!("--tz: unknown IANA timezone {t:?}")))
        })
        .transpose()?;
    let cockpit = global.open()?;
    let text = cockpit
        .postmortem(&args.incident, tz)
        .map_err(shift_failure)?;
    emit(&text, args.out.as_ref())
}
