//! Markdown export of a handoff report, and the formatting both exports share: times in the
//! reader's timezone, durations in words, and vendor text made inert in Markdown.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::handoff::{HandoffReport, OpenItemKind};

/// Text from vendors and people as one Markdown line that renders as the same text: no
/// headings, links, emphasis, HTML or table breaks can come out of it.
pub fn md_inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.trim().to_string()
}

/// `2026-05-04 05:47 UTC`: the day and minute in `tz`, with the zone's abbreviation.
pub fn local_time(at: DateTime<Utc>, tz: &Tz) -> String {
    at.with_timezone(tz).format("%Y-%m-%d %H:%M %Z").to_string()
}

/// `1h 28m`, `5m 0s`, `42s`.
pub fn duration_words(seconds: i64) -> String {
    let s = seconds.max(0);
    let (d, h, m, sec) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60, s % 60);
    if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m}m")
    } else if m > 0 {
        format!("{m}m {sec}s")
    } else {
        format!("{sec}s")
    }
}

fn opt_duration(s: Option<i64>) -> String {
    s.map_or_else(|| "—".into(), duration_words)
}

fn opt_time(t: Option<DateTime<Utc>>, tz: &Tz) -> String {
    t.map_or_else(|| "—".into(), |t| local_time(t, tz))
}

pub fn open_item_label(kind: OpenItemKind) -> &'static str {
    match kind {
        OpenItemKind::Incident => "incident",
        OpenItemKind::Silence => "silence",
        OpenItemKind::CiFailure => "failed CI",
        OpenItemKind::Workload => "workload",
        OpenItemKind::Node => "node",
    }
}

/// The report as Markdown, times in `tz`.
pub fn handoff_markdown(r: &HandoffReport, tz: &Tz) -> String {
    use std::fmt::Write;
    let mut md = String::new();
    let s = &r.shift;
    let what = s.schedule.as_deref().unwrap_or("Manual shift");
    let _ = writeln!(md, "# Handoff: {}", md_inline(what));
    let _ = writeln!(md);
    let end = match (s.end, r.in_progress) {
        (_, true) => format!("in progress, as of {}", local_time(r.as_of, tz)),
        (Some(e), false) => local_time(e, tz),
        (None, false) => local_time(r.as_of, tz),
    };
    let _ = writeln!(
        md,
        "{} · {} → {}",
        md_inline(&s.user),
        local_time(s.start, tz),
        end
    );
    let _ = writeln!(md);
    if let Some(summary) = r.summary.as_deref().filter(|t| !t.trim().is_empty()) {
        let _ = writeln!(md, "> {}", md_inline(summary));
        let _ = writeln!(md);
    }

    let f = &r.figures;
    let _ = writeln!(md, "## At a glance");
    let _ = writeln!(md);
    let _ = writeln!(
        md,
        "- Pages: {} ({} high, {} low urgency; {} out of hours)",
        f.pages, f.high_urgency, f.low_urgency, f.out_of_hours
    );
    let _ = writeln!(
        md,
        "- Median time to acknowledge: {}; to resolve: {}",
        opt_duration(f.median_time_to_acknowledge_s),
        opt_duration(f.median_time_to_resolve_s)
    );
    let _ = writeln!(
        md,
        "- Alerts fired: {}; actions: {} ({} failed or refused); runbook runs: {}",
        r.alerts.fired, f.actions, f.actions_failed, f.runbook_runs
    );
    let _ = writeln!(md, "- Still open: {}", r.open_items.len());
    let _ = writeln!(md);

    if !r.watch_next.is_empty() {
        let _ = writeln!(md, "## Watch next");
        let _ = writeln!(md);
        for w in &r.watch_next {
            let _ = writeln!(md, "- {}", md_inline(w));
        }
        let _ = writeln!(md);
    }

    let _ = writeln!(md, "## Still open");
    let _ = writeln!(md);
    if r.open_items.is_empty() {
        let _ = writeln!(md, "Nothing.");
    } else {
        let _ = writeln!(md, "| kind | what | since | until |");
        let _ = writeln!(md, "|---|---|---|---|");
        for i in &r.open_items {
            let _ = writeln!(
                md,
                "| {} | {} ({}) | {} | {} |",
                open_item_label(i.kind),
                md_inline(&i.title),
                md_inline(&i.id),
                local_time(i.since, tz),
                opt_time(i.until, tz)
            );
        }
    }
    let _ = writeln!(md);

    let _ = writeln!(md, "## Pages");
    let _ = writeln!(md);
    if r.pages.is_empty() {
        let _ = writeln!(md, "None.");
    } else {
        let _ = writeln!(
            md,
            "| incident | title | service | urgency | triggered | to acknowledge | to resolve |"
        );
        let _ = writeln!(md, "|---|---|---|---|---|---|---|");
        for p in &r.pages {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {}{} | {} | {} | {} |",
                md_inline(&p.id),
                md_inline(&p.title),
                md_inline(p.service.as_deref().unwrap_or("—")),
                p.urgency,
                if p.out_of_hours { ", out of hours" } else { "" },
                local_time(p.triggered_at, tz),
                opt_duration(p.time_to_acknowledge_s),
                match p.time_to_resolve_s {
                    Some(s) => duration_words(s),
                    None => "open".into(),
                }
            );
        }
    }
    let _ = writeln!(md);

    if !r.alerts.noisiest.is_empty() {
        let _ = writeln!(md, "## Noisiest alerts (never acted on)");
        let _ = writeln!(md);
        for n in &r.alerts.noisiest {
            let _ = writeln!(
                md,
                "- {}{}: fired {}×, {} in all",
                md_inline(&n.name),
                n.service
                    .as_deref()
                    .map_or_else(String::new, |s| format!(" on {}", md_inline(s))),
                n.fired,
                duration_words(n.firing_s)
            );
        }
        let _ = writeln!(md);
    }

    if !r.actions.is_empty() {
        let _ = writeln!(md, "## Actions");
        let _ = writeln!(md);
        for a in &r.actions {
            let _ = writeln!(
                md,
                "- {} {}: {}{}",
                local_time(a.at, tz),
                a.outcome,
                md_inline(&a.summary),
                a.by.as_deref()
                    .map_or_else(String::new, |b| format!(" (by {})", md_inline(b)))
            );
        }
        let _ = writeln!(md);
    }

    if !r.runbook_runs.is_empty() {
        let _ = writeln!(md, "## Runbook runs");
        let _ = writeln!(md);
        for run in &r.runbook_runs {
            let _ = writeln!(
                md,
                "- {} {}: {} of {} steps done, {} skipped{}",
                local_time(run.started_at, tz),
                md_inline(&run.title),
                run.done,
                run.total,
                run.skipped,
                if run.ended_at.is_some() {
                    ", ended"
                } else {
                    ", still open"
                }
            );
        }
        let _ = writeln!(md);
    }

    if !r.notes.is_empty() {
        let _ = writeln!(md, "## Notes");
        let _ = writeln!(md);
        for n in &r.notes {
            let about = n
                .about
                .as_deref()
                .map_or_else(String::new, |a| format!(" ({})", md_inline(a)));
            let by =
                n.by.as_deref()
                    .map_or_else(String::new, |b| format!(" — {}", md_inline(b)));
            let _ = writeln!(
                md,
                "- {}{about}: {}{by}",
                local_time(n.at, tz),
                md_inline(&n.text)
            );
        }
        let _ = writeln!(md);
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_text_stays_text() {
        assert_eq!(
            md_inline("# <script>x</script> | [a](javascript:1)\n*b*"),
            "\\# \\<script\\>x\\</script\\> \\| \\[a\\](javascript:1) \\*b\\*"
        );
    }

    #[test]
    fn durations_read_as_words() {
        assert_eq!(duration_words(42), "42s");
        assert_eq!(duration_words(300), "5m 0s");
        assert_eq!(duration_words(5280), "1h 28m");
        assert_eq!(duration_words(90_000), "1d 1h");
    }
}
