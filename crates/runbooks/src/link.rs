//! Which runbooks an alert links to, and why. Pure: the caller passes the runbooks and the
//! alert.
//!
//! An alert links to a runbook when
//! - its `runbook_url` annotation is one of the runbook's `aliases` (compared normalized:
//!   scheme and host case, default port, trailing slash) — [`MatchReason::Alias`];
//! - or that URL's last path segment, less a `.md`/`.html` extension, is the runbook's slug
//!   (`…/blob/main/api-latency.md` → `api-latency`) — [`MatchReason::Slug`];
//! - or the runbook's `alerts` name the alert ([`MatchReason::AlertName`]) or hold a label
//!   matcher that the alert's labels satisfy, with Alertmanager's semantics: `=`, `!=`, `=~`,
//!   `!~`, regexes anchored, a missing label is "" ([`MatchReason::Matcher`]);
//! - or the runbook's `services` include the alert's `service` label ([`MatchReason::Service`]).

use std::collections::BTreeMap;

use opsdeck_domain::matchers::{self, LabelSet, Matcher};
use serde::Serialize;

use crate::model::Runbook;

/// Why a runbook matched an alert, best first: the order of the variants is the ranking (an
/// explicit URL beats a name, a name beats a service).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchReason {
    /// The alert's `runbook_url` is one of the runbook's `aliases`.
    Alias,
    /// The alert's `runbook_url` ends in the runbook's slug.
    Slug,
    /// The runbook's `alerts` name the alert.
    AlertName,
    /// One of the runbook's `alerts` matchers holds for the alert's labels.
    Matcher,
    /// The runbook's `services` include the alert's `service` label.
    Service,
}

/// An alert as linking needs it.
#[derive(Debug, Clone, Copy)]
pub struct AlertRef<'a> {
    /// The alert's name (its `alertname` label).
    pub name: &'a str,
    pub labels: &'a BTreeMap<String, String>,
    /// The `runbook_url` annotation, if the alert has one.
    pub runbook_url: Option<&'a str>,
}

/// A runbook that matched, with every reason it did, best first.
#[derive(Debug, Clone, Serialize)]
pub struct RunbookMatch<'a> {
    pub runbook: &'a Runbook,
    pub reasons: Vec<MatchReason>,
}

impl RunbookMatch<'_> {
    pub fn best(&self) -> MatchReason {
        self.reasons[0]
    }
}

/// One `alerts:` entry, parsed at load so that a bad matcher is a load error and matching
/// never compiles a regex.
#[derive(Debug, Clone)]
pub(crate) enum AlertRule {
    Name(String),
    Matchers(Vec<Matcher>),
}

impl AlertRule {
    /// A plain alert name, or matchers when the entry has an operator or braces
    /// (`alertname="X", service=~"orders.*"`, `{severity="critical"}`).
    pub(crate) fn parse(entry: &str) -> Result<AlertRule, String> {
        let entry = entry.trim();
        if entry.is_empty() {
            return Err("an empty alert entry".into());
        }
        if entry.contains(['=', '~', '!', '{', '"']) {
            matchers::parse(entry)
                .map(AlertRule::Matchers)
                .map_err(|e| e.to_string())
        } else {
            Ok(AlertRule::Name(entry.to_string()))
        }
    }
}

/// The runbooks `alert` links to, best match first (then by slug), each with its reasons.
pub fn match_alert<'a>(
    runbooks: impl IntoIterator<Item = &'a Runbook>,
    alert: &AlertRef<'_>,
) -> Vec<RunbookMatch<'a>> {
    let mut labels: LabelSet = alert.labels.clone();
    // Matchers on `alertname` must see the name even when the caller keeps it apart.
    labels
        .entry("alertname".into())
        .or_insert_with(|| alert.name.to_string());
    let url = alert.runbook_url.map(str::trim).filter(|u| !u.is_empty());
    let url_key = url.map(normalize_url);
    let url_slug = url.and_then(slug_of_url);
    let service = alert.labels.get("service").map(String::as_str);

    let mut out: Vec<RunbookMatch<'a>> =
        runbooks
            .into_iter()
            .filter_map(|runbook| {
                let mut reasons = Vec::new();
                if url_key
                    .as_ref()
                    .is_some_and(|key| runbook.alias_keys.contains(key))
                {
                    reasons.push(MatchReason::Alias);
                }
                if url_slug.as_deref() == Some(runbook.slug.as_str()) {
                    reasons.push(MatchReason::Slug);
                }
                if runbook
                    .rules
                    .iter()
                    .any(|r| matches!(r, AlertRule::Name(n) if n == alert.name))
                {
                    reasons.push(MatchReason::AlertName);
                }
                if runbook.rules.iter().any(
                    |r| matches!(r, AlertRule::Matchers(m) if matchers::matches_all(m, &labels)),
                ) {
                    reasons.push(MatchReason::Matcher);
                }
                if service.is_some_and(|s| runbook.services.iter().any(|rs| rs == s)) {
                    reasons.push(MatchReason::Service);
                }
                (!reasons.is_empty()).then_some(RunbookMatch { runbook, reasons })
            })
            .collect();
    out.sort_by(|a, b| {
        (a.best(), &a.runbook.slug, &a.runbook.path).cmp(&(
            b.best(),
            &b.runbook.slug,
            &b.runbook.path,
        ))
    });
    out
}

/// The runbooks whose `services` include `service`, by slug.
pub fn runbooks_for_service<'a>(
    runbooks: impl IntoIterator<Item = &'a Runbook>,
    service: &str,
) -> Vec<&'a Runbook> {
    let mut out: Vec<&Runbook> = runbooks
        .into_iter()
        .filter(|r| r.services.iter().any(|s| s == service))
        .collect();
    out.sort_by(|a, b| (&a.slug, &a.path).cmp(&(&b.slug, &b.path)));
    out
}

/// A runbook URL as aliases are compared: scheme and host lowercased and the default port
/// dropped (the `url` crate's parse does both), no trailing slash. Query and fragment are kept:
/// they can name different pages. Text that is not an absolute URL is only trimmed.
pub fn normalize_url(url: &str) -> String {
    let url = url.trim();
    match url::Url::parse(url) {
        Ok(parsed) => {
            let mut out = String::new();
            out.push_str(parsed.scheme());
            out.push(':');
            if let Some(host) = parsed.host_str() {
                out.push_str("//");
                out.push_str(host);
                if let Some(port) = parsed.port() {
                    out.push_str(&format!(":{port}"));
                }
            }
            out.push_str(parsed.path().trim_end_matches('/'));
            if let Some(q) = parsed.query() {
                out.push('?');
                out.push_str(q);
            }
            if let Some(f) = parsed.fragment() {
                out.push('#');
                out.push_str(f);
            }
            out
        }
        Err(_) => url.trim_end_matches('/').to_string(),
    }
}

/// The slug a runbook URL points at: its last path segment, percent-decoded, lowercased, less a
/// Markdown or HTML extension.
pub(crate) fn slug_of_url(url: &str) -> Option<String> {
    let path = match url::Url::parse(url) {
        Ok(parsed) => parsed.path().to_string(),
        // Not absolute: strip any query or fragment by hand.
        Err(_) => url.split(['?', '#']).next().unwrap_or_default().to_string(),
    };
    let segment = path.split('/').rev().find(|s| !s.is_empty())?;
    let segment = percent_decode(segment).to_lowercase();
    let stem = [".md", ".markdown", ".html", ".htm"]
        .iter()
        .find_map(|ext| segment.strip_suffix(ext))
        .unwrap_or(&segment);
    (!stem.is_empty()).then(|| stem.to_string())
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_normalize_case_ports_and_trailing_slashes() {
        assert_eq!(
            normalize_url("HTTPS://Wiki.Example.COM:443/Runbooks/API/"),
            "https://wiki.example.com/Runbooks/API"
        );
        assert_eq!(
            normalize_url("https://wiki.example.com/runbooks/api"),
            normalize_url(" https://wiki.example.com/runbooks/api/ ")
        );
        assert_ne!(
            normalize_url("https://wiki.example.com/a?page=1"),
            normalize_url("https://wiki.example.com/a?page=2")
        );
        assert_eq!(normalize_url("http://wiki:8080/x/"), "http://wiki:8080/x");
        assert_eq!(normalize_url("runbooks/api/"), "runbooks/api");
    }

    #[test]
    fn slugs_come_from_the_last_segment() {
        for (url, slug) in [
            (
                "https://github.com/acme/runbooks/blob/main/API-Latency.md",
                Some("api-latency"),
            ),
            ("https://wiki/runbooks/api-latency/", Some("api-latency")),
            (
                "https://wiki/runbooks/api-latency?x=1#top",
                Some("api-latency"),
            ),
            ("https://wiki/runbooks/db%20load.html", Some("db load")),
            ("api-latency", Some("api-latency")),
            ("https://wiki/", None),
        ] {
            assert_eq!(slug_of_url(url).as_deref(), slug, "{url}");
        }
    }

    #[test]
    fn percent_decoding_is_total() {
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("%zz%41"), "%zzA");
        assert_eq!(percent_decode("%"), "%");
    }

    #[test]
    fn entries_with_operators_are_matchers() {
        assert!(
            matches!(AlertRule::parse("HighLatency"), Ok(AlertRule::Name(n)) if n == "HighLatency")
        );
        assert!(matches!(
            AlertRule::parse(r#"alertname="X", service=~"orders.*""#),
            Ok(AlertRule::Matchers(m)) if m.len() == 2
        ));
        assert!(matches!(
            AlertRule::parse("{severity!=\"info\"}"),
            Ok(AlertRule::Matchers(_))
        ));
        assert!(AlertRule::parse(r#"service=~"(""#)
            .unwrap_err()
            .contains("regular expression"));
        assert!(AlertRule::parse("  ").is_err());
    }
}
