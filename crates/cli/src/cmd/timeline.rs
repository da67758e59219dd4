//! `opsdeck timeline [--day D | --since T --until T] [--json]`.

use std::io::Write;

use chrono::{DateTime, NaiveDate, Utc};
use clap::Args;
use opsdeck_domain::TimelineEntry;

use super::Global;
use crate::exit::Failure;

#[derive(Args)]
pub struct TimelineArgs {
    /// A local day (in the config's timezone); default Today.
    #[arg(long, value_name = "YYYY-MM-DD", conflicts_with_all = ["since", "until"])]
    day: Option<NaiveDate>,
    /// Start of a window (RFC 3339).
    #[arg(long, value_name = "T", requires = "until")]
    since: Option<String>,
    /// End of a window (RFC 3339, exclusive).
    #[arg(long, value_name = "T", requires = "since")]
    until: Option<String>,
    /// One JSON array of timeline entries (the timeline contract).
    #[arg(long)]
    json: bool,
}

pub fn run(global: &Global, args: TimelineArgs) -> Result<(), Failure> {
    let cockpit = global.open()?;
    let entries = match (&args.since, &args.until) {
        (Some(since), Some(until)) => {
            let (from, to) = (instant("--since", since)?, instant("--until", until)?);
            if to < from {
                return Err(Failure::usage(format!(
                    "--until {until} is before --since {since}"
                )));
            }
            cockpit.timeline_between(from, to)
        }
        _ => cockpit.timeline_day(args.day.unwrap_or_else(|| cockpit.today())),
    }
    .map_err(|e| Failure::failed(e.to_string()))?;
    let mut out = std::io::stdout().lock();
    let written = if args.json {
        serde_json::to_writer_pretty(&mut out, &entries)
            .map_err(std::io::Error::from)
            .and_then(|_| writeln!(out))
    } else {
        write_table(&mut out, &entries, cockpit.timezone())
    };
    match written {
        // `opsdeck timeline | head` closing the pipe early is not a failure.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(|e| Failure::failed(format!("cannot write the timeline: {e}"))),
    }
}

fn instant(flag: &str, text: &str) -> Result<DateTime<Utc>, Failure> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            Failure::usage(format!(
                "{flag} {text:?} is not an RFC 3339 time (e.g. 2026-11-22T05:00:00Z): {e}"
            ))
        })
}

fn write_table(
    out: &mut impl Write,
    entries: &[TimelineEntry],
    tz: chrono_tz::Tz,
) -> std::io::Result<()> {
    for e in entries {
        writeln!(
            out,
            "{}  {:<12} {:<8} {:<12} {}{}",
            e.started_at.with_timezone(&tz).format("%H:%M"),
            e.source.as_str(),
            e.severity.as_str(),
            e.status.map(|s| s.as_str()).unwrap_or("-"),
            e.title,
            e.service
                .as_deref()
                .map(|s| format!("  [{s}]"))
                .unwrap_or_default(),
        )?;
    }
    Ok(())
}
