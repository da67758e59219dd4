//! `opsdeck search WORDS…`: full-text search over the whole history; `opsdeck prune`: the
//! retention policy applied now.

use std::io::Write;

use chrono::{DateTime, Utc};
use clap::Args;
use opsdeck_domain::{EntryKind, SearchQuery, Severity, SourceKind};
use opsdeck_engine::CockpitError;

use super::Global;
use crate::exit::Failure;

#[derive(Args)]
pub struct SearchArgs {
    /// Words every hit must contain (in its title, service, notes, labels or runbook notes);
    /// the last one also as a prefix. Plain words: quotes and operators are just characters.
    words: Vec<String>,
    /// Only entries from this source (repeatable): pagerduty, alertmanager, grafana,
    /// prometheus, github, kubernetes, opsdeck.
    #[arg(long = "source", value_name = "SOURCE")]
    sources: Vec<SourceKind>,
    /// Only entries of this service (repeatable).
    #[arg(long = "service", value_name = "NAME")]
    services: Vec<String>,
    /// Only entries of this severity (repeatable): critical, warning, info.
    #[arg(long = "severity", value_name = "SEVERITY")]
    severities: Vec<Severity>,
    /// Only entries of this kind (repeatable): page, alert, ci_run, runbook_step, …
    #[arg(long = "kind", value_name = "KIND")]
    kinds: Vec<EntryKind>,
    /// Only entries that started at or after T (RFC 3339).
    #[arg(long, value_name = "T")]
    since: Option<DateTime<Utc>>,
    /// Only entries that started before T (RFC 3339).
    #[arg(long, value_name = "T")]
    until: Option<DateTime<Utc>>,
    /// At most N hits (default 100, at most 1000).
    #[arg(long, value_name = "N")]
    limit: Option<u32>,
    /// One JSON array of `{entry, snippet, field}`, newest first (entry as the timeline
    /// contract).
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct PruneArgs {
    /// Delete what is older than this (humantime: 90d, 1y); default the config's
    /// `[history] retention`.
    #[arg(long, value_name = "AGE")]
    older_than: Option<humantime::Duration>,
    /// One JSON object: what was deleted per table, and whether the file was vacuumed.
    #[arg(long)]
    json: bool,
}

fn store_failure(e: CockpitError) -> Failure {
    if e.is_bad_input() {
        Failure::usage(e.to_string())
    } else {
        Failure::failed(e.to_string())
    }
}

pub fn search(global: &Global, args: SearchArgs) -> Result<(), Failure> {
    let cockpit = global.open()?;
    let query = SearchQuery {
        text: args.words.join(" "),
        sources: args.sources,
        services: args.services,
        severities: args.severities,
        kinds: args.kinds,
        since: args.since,
        until: args.until,
        limit: args.limit,
    };
    let hits = cockpit.search(&query).map_err(store_failure)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_string_pretty(&hits)
            .map_err(|e| Failure::failed(format!("cannot encode the hits: {e}")))
            .and_then(|s| writeln!(out, "{s}").map_err(|e| Failure::failed(format!("stdout: {e}"))))
    } else {
        let tz = cockpit.timezone();
        let mut text = String::new();
        for h in &hits {
            let e = &h.entry;
            text.push_str(&format!(
                "{}  {:<8} {:<12} {:<8} {}{}\n",
                e.started_at.with_timezone(&tz).format("%Y-%m-%d %H:%M"),
                e.source.as_str(),
                e.kind.as_str(),
                e.severity.as_str(),
                e.title,
                if h.snippet.is_empty() || h.field == "title" {
                    String::new()
                } else {
                    format!("\n    {}", h.snippet)
                }
            ));
        }
        if hits.is_empty() {
            eprintln!("no matches");
        }
        out.write_all(text.as_bytes())
            .map_err(|e| Failure::failed(format!("stdout: {e}")))
    }
}

pub fn prune(global: &Global, args: PruneArgs) -> Result<(), Failure> {
    let cockpit = global.open()?;
    let older_than = args
        .older_than
        .map(|d| {
            chrono::Duration::from_std(d.into())
                .map_err(|_| Failure::usage("--older-than is too long"))
        })
        .transpose()?;
    if older_than.is_some_and(|d| d < chrono::Duration::days(1)) {
        return Err(Failure::usage(
            "--older-than must be at least 1d: a shorter one would delete today's history",
        ));
    }
    let report = cockpit.prune(older_than).map_err(store_failure)?;
    if args.json {
        let s = serde_json::to_string_pretty(&report)
            .map_err(|e| Failure::failed(format!("cannot encode the report: {e}")))?;
        println!("{s}");
    } else {
        println!(
            "deleted what started or ended before {}: {} entries, {} runbook runs, {} shifts, {} silences, {} notification records, {} action plans{}",
            report.cutoff.to_rfc3339(),
            report.entries,
            report.runbook_runs,
            report.shifts,
            report.silences,
            report.notifications,
            report.action_plans,
            if report.vacuumed { "; vacuumed" } else { "" }
        );
    }
    Ok(())
}
