//! Reading GitHub's query parameters: pagination (`per_page`, `page`, and the `Link` header
//! that walks it), the workflow-run filters and the deployment filters.
//!
//! As on GitHub, a repeated parameter counts with its last value, and pagination is lenient:
//! a `per_page` that is not a positive integer means the default (30), one above 100 means
//! 100, and a `page` that is not a positive integer means 1. Filters are strict: a `status`
//! that is neither a status nor a conclusion, a `created` that is not a date, a date-time or
//! a range of them, or a `filter` other than `latest`/`all` is a 422 naming the parameter,
//! so a client's typo shows instead of an empty list.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, Utc};

use super::error::ApiError;
use crate::query_string::QueryString;
use crate::world::github::{Deployment, WorkflowRun};

pub(crate) const DEFAULT_PER_PAGE: usize = 30;
pub(crate) const MAX_PER_PAGE: usize = 100;
/// "This endpoint will return up to 1,000 results for each search when using the following
/// parameters: actor, branch, check_suite_id, created, event, head_sha, status."
const MAX_FILTERED: usize = 1000;

const RUN_STATUSES: &[&str] = &[
    "queued",
    "in_progress",
    "completed",
    "waiting",
    "requested",
    "pending",
];
const RUN_CONCLUSIONS: &[&str] = &[
    "action_required",
    "cancelled",
    "failure",
    "neutral",
    "skipped",
    "stale",
    "success",
    "timed_out",
];

/// A request's query string, read GitHub's way.
pub(crate) struct Query {
    raw: QueryString,
}

impl Query {
    pub(crate) fn parse(raw: Option<&str>) -> Query {
        Query {
            raw: QueryString::parse(raw),
        }
    }

    /// A parameter's value; empty counts as absent.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.raw.last(name).filter(|v| !v.is_empty())
    }

    pub(crate) fn page(&self) -> Page {
        let per_page = self
            .get("per_page")
            .and_then(|v| v.trim().parse::<usize>().ok())
            .filter(|n| *n > 0)
            .map_or(DEFAULT_PER_PAGE, |n| n.min(MAX_PER_PAGE));
        let page = self
            .get("page")
            .and_then(|v| v.trim().parse::<usize>().ok())
            .filter(|n| *n > 0)
            .unwrap_or(1);
        Page { per_page, page }
    }

    /// `filter` of the jobs list: `true` for `all`, `false` for `latest` (the default).
    pub(crate) fn all_jobs(&self) -> Result<bool, ApiError> {
        match self.get("filter") {
            None | Some("latest") => Ok(false),
            Some("all") => Ok(true),
            Some(other) => Err(not_one_of("filter", other, &["latest", "all"])),
        }
    }

    /// The `Link` header for `page` of a list of `total` items at `base` (the request's URL
    /// without its query): `prev`, `next`, `last` and `first` as apply, keeping every other
    /// parameter as sent. `None` when everything fits on the first page.
    pub(crate) fn link(&self, base: &str, page: Page, total: usize) -> Option<String> {
        let last = total.div_ceil(page.per_page).max(1);
        let mut rels = Vec::new();
        if page.page > 1 {
            rels.push((page.page.min(last + 1) - 1, "prev"));
        }
        if page.page < last {
            rels.push((page.page + 1, "next"));
            rels.push((last, "last"));
        }
        if page.page > 1 {
            rels.push((1, "first"));
        }
        if rels.is_empty() {
            return None;
        }
        let links: Vec<String> = rels
            .into_iter()
            .map(|(n, rel)| format!("<{}>; rel=\"{rel}\"", self.url_for_page(base, n)))
            .collect();
        Some(links.join(", "))
    }

    fn url_for_page(&self, base: &str, n: usize) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in self.raw.pairs().iter().filter(|(k, _)| k != "page") {
            query.append_pair(k, v);
        }
        query.append_pair("page", &n.to_string());
        format!("{base}?{}", query.finish())
    }
}

/// One page of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Page {
    pub per_page: usize,
    /// From 1.
    pub page: usize,
}

impl Page {
    /// The items of this page.
    pub(crate) fn slice<'a, T>(&self, items: &'a [T]) -> &'a [T] {
        let start = (self.page - 1)
            .saturating_mul(self.per_page)
            .min(items.len());
        let end = start.saturating_add(self.per_page).min(items.len());
        &items[start..end]
    }
}

fn not_one_of(name: &str, value: &str, allowed: &[&str]) -> ApiError {
    let allowed: Vec<String> = allowed.iter().map(|a| format!("{a:?}")).collect();
    ApiError::Invalid(format!(
        "For '{name}', {value:?} is not one of [{}].",
        allowed.join(", ")
    ))
}

/// `created`: `[from, to)` in instants, either end open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Created {
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
}

impl Created {
    /// GitHub's search syntax: `DATE`, `>=DATE`, `>DATE`, `<=DATE`, `<DATE`, `DATE..DATE`
    /// (either side `*`), each `DATE` a day (`2026-05-04`, all of it in UTC) or a date-time
    /// (RFC 3339, or without an offset for UTC).
    pub(crate) fn parse(text: &str) -> Option<Created> {
        // A `+` of an offset arrives as a space when the client did not encode it.
        let text = text.trim().replace(' ', "+");
        if let Some((a, b)) = text.split_once("..") {
            let from = if a == "*" { None } else { Some(start(a)?) };
            let to = if b == "*" { None } else { Some(end(b)?) };
            return Some(Created { from, to });
        }
        let (from, to) = if let Some(d) = text.strip_prefix(">=") {
            (Some(start(d)?), None)
        } else if let Some(d) = text.strip_prefix('>') {
            (Some(end(d)?), None)
        } else if let Some(d) = text.strip_prefix("<=") {
            (None, Some(end(d)?))
        } else if let Some(d) = text.strip_prefix('<') {
            (None, Some(start(d)?))
        } else {
            (Some(start(&text)?), Some(end(&text)?))
        };
        Some(Created { from, to })
    }

    fn keeps(&self, t: DateTime<Utc>) -> bool {
        self.from.is_none_or(|f| t >= f) && self.to.is_none_or(|to| t < to)
    }
}

/// The first instant a date or date-time names.
fn start(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Some(day.and_hms_opt(0, 0, 0)?.and_utc());
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
        .ok()
        .map(|t| t.and_utc())
}

/// The first instant after what a date (the whole day) or a date-time (its second) names.
fn end(text: &str) -> Option<DateTime<Utc>> {
    let length = if NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok() {
        TimeDelta::days(1)
    } else {
        TimeDelta::seconds(1)
    };
    start(text).and_then(|t| t.checked_add_signed(length))
}

/// The filters of `GET /repos/{owner}/{repo}/actions/runs`.
#[derive(Debug, Clone, Default)]
pub(crate) struct RunFilter {
    actor: Option<String>,
    branch: Option<String>,
    event: Option<String>,
    status: Option<String>,
    created: Option<Created>,
    head_sha: Option<String>,
    check_suite_id: Option<u64>,
}

impl RunFilter {
    pub(crate) fn read(q: &Query) -> Result<RunFilter, ApiError> {
        let status = q.get("status").map(str::to_owned);
        if let Some(s) = &status {
            if !RUN_STATUSES.contains(&s.as_str()) && !RUN_CONCLUSIONS.contains(&s.as_str()) {
                let all: Vec<&str> = RUN_CONCLUSIONS
                    .iter()
                    .chain(RUN_STATUSES)
                    .copied()
                    .collect();
                return Err(not_one_of("status", s, &all));
            }
        }
        let created = match q.get("created") {
            None => None,
            Some(text) => Some(Created::parse(text).ok_or_else(|| {
                ApiError::Invalid(format!(
                    "For 'created', {text:?} is not a date, a date-time or a range of them."
                ))
            })?),
        };
        let check_suite_id = match q.get("check_suite_id") {
            None => None,
            Some(text) => Some(text.trim().parse().map_err(|_| {
                ApiError::Invalid(format!("For 'check_suite_id', {text:?} is not an integer."))
            })?),
        };
        Ok(RunFilter {
            actor: q.get("actor").map(str::to_owned),
            branch: q.get("branch").map(str::to_owned),
            event: q.get("event").map(str::to_owned),
            status,
            created,
            head_sha: q.get("head_sha").map(str::to_owned),
            check_suite_id,
        })
    }

    /// Whether any filter is set (then at most [`MAX_FILTERED`] runs are listed).
    fn any(&self) -> bool {
        self.actor.is_some()
            || self.branch.is_some()
            || self.event.is_some()
            || self.status.is_some()
            || self.created.is_some()
            || self.head_sha.is_some()
            || self.check_suite_id.is_some()
    }

    /// `run` passes, given its actor's login, event and check suite.
    pub(crate) fn keeps(
        &self,
        run: &WorkflowRun,
        actor: &str,
        event: &str,
        check_suite: u64,
    ) -> bool {
        let status = self.status.as_deref().is_none_or(|s| {
            s == run.status.as_str() || run.conclusion.is_some_and(|c| c.as_str() == s)
        });
        status
            && self
                .actor
                .as_deref()
                .is_none_or(|a| a.eq_ignore_ascii_case(actor))
            && self.branch.as_deref().is_none_or(|b| b == run.head_branch)
            && self.event.as_deref().is_none_or(|e| e == event)
            && self.created.is_none_or(|c| c.keeps(run.created_at))
            && self
                .head_sha
                .as_deref()
                .is_none_or(|s| s.eq_ignore_ascii_case(&run.head_sha))
            && self.check_suite_id.is_none_or(|id| id == check_suite)
    }

    /// Filtered lists stop at 1,000 runs, as GitHub's do.
    pub(crate) fn cap<T>(&self, items: &mut Vec<T>) {
        if self.any() {
            items.truncate(MAX_FILTERED);
        }
    }
}

/// The filters of `GET /repos/{owner}/{repo}/deployments`; `none` (the documented default)
/// means no filter.
#[derive(Debug, Clone, Default)]
pub(crate) struct DeploymentFilter {
    sha: Option<String>,
    git_ref: Option<String>,
    task: Option<String>,
    environment: Option<String>,
}

impl DeploymentFilter {
    pub(crate) fn read(q: &Query) -> DeploymentFilter {
        let get = |name| q.get(name).filter(|v| *v != "none").map(str::to_owned);
        DeploymentFilter {
            sha: get("sha"),
            git_ref: get("ref"),
            task: get("task"),
            environment: get("environment"),
        }
    }

    /// A ref matches by branch name or as `refs/heads/<branch>`.
    pub(crate) fn keeps(&self, d: &Deployment) -> bool {
        self.sha
            .as_deref()
            .is_none_or(|s| s.eq_ignore_ascii_case(&d.sha))
            && self.git_ref.as_deref().is_none_or(|r| {
                r == d.git_ref || r.strip_prefix("refs/heads/") == Some(d.git_ref.as_str())
            })
            && self.task.as_deref().is_none_or(|t| t == Deployment::TASK)
            && self
                .environment
                .as_deref()
                .is_none_or(|e| e == d.environment)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn q(raw: &str) -> Query {
        Query::parse(Some(raw))
    }

    #[test]
    fn pagination_is_lenient_and_clamped() {
        let page = |raw| q(raw).page();
        assert_eq!(
            page(""),
            Page {
                per_page: 30,
                page: 1
            }
        );
        assert_eq!(
            page("per_page=500&page=3"),
            Page {
                per_page: 100,
                page: 3
            }
        );
        assert_eq!(
            page("per_page=abc&page=0"),
            Page {
                per_page: 30,
                page: 1
            }
        );
        assert_eq!(
            page("per_page=0&page=-2"),
            Page {
                per_page: 30,
                page: 1
            }
        );
        let items: Vec<u32> = (0..7).collect();
        let p = Page {
            per_page: 3,
            page: 3,
        };
        assert_eq!(p.slice(&items), [6]);
        assert!(Page {
            per_page: 3,
            page: 9
        }
        .slice(&items)
        .is_empty());
    }

    #[test]
    fn links_keep_other_parameters_and_say_where_to_go() {
        let query = q("branch=main&page=2&per_page=10");
        let page = query.page();
        assert_eq!(
            query.link("http://h/r", page, 35).as_deref(),
            Some(
                "<http://h/r?branch=main&per_page=10&page=1>; rel=\"prev\", \
                 <http://h/r?branch=main&per_page=10&page=3>; rel=\"next\", \
                 <http://h/r?branch=main&per_page=10&page=4>; rel=\"last\", \
                 <http://h/r?branch=main&per_page=10&page=1>; rel=\"first\""
            )
        );
        assert_eq!(q("").link("http://h/r", q("").page(), 30), None);
        let last = q("page=2&per_page=20");
        assert_eq!(
            last.link("http://h/r", last.page(), 25).as_deref(),
            Some("<http://h/r?per_page=20&page=1>; rel=\"prev\", <http://h/r?per_page=20&page=1>; rel=\"first\"")
        );
    }

    #[test]
    fn created_takes_dates_date_times_and_ranges() {
        let t = |h, m| Utc.with_ymd_and_hms(2026, 5, 4, h, m, 0).unwrap();
        let keeps = |text: &str, at| Created::parse(text).expect(text).keeps(at);
        assert!(keeps("2026-05-04", t(23, 59)));
        assert!(!keeps("2026-05-03", t(0, 0)));
        assert!(keeps(">=2026-05-04T08:00:00Z", t(8, 0)));
        assert!(!keeps(">=2026-05-04T08:00:00Z", t(7, 59)));
        assert!(!keeps(">2026-05-04", t(12, 0)));
        assert!(keeps("<=2026-05-04", t(12, 0)));
        assert!(!keeps("<2026-05-04", t(12, 0)));
        assert!(keeps(
            "2026-05-04T07:00:00+00:00..2026-05-04T09:00:00Z",
            t(9, 0)
        ));
        assert!(keeps("2026-05-04T07:00:00 00:00..*", t(9, 0)));
        assert!(!keeps("*..2026-05-03", t(9, 0)));
        assert!(keeps("2026-05-04T12:00:00", t(12, 0)));
        for bad in ["yesterday", ">=2026-13-01", "2026-05-04..soon"] {
            assert_eq!(Created::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn unknown_status_and_filter_are_refused() {
        let err = RunFilter::read(&q("status=done")).expect_err("not a status");
        assert!(matches!(&err, ApiError::Invalid(m) if m.starts_with("For 'status', \"done\"")));
        assert!(RunFilter::read(&q("status=failure&status=")).is_ok());
        assert!(RunFilter::read(&q("created=soon")).is_err());
        assert!(q("filter=some").all_jobs().is_err());
        assert_eq!(q("filter=all").all_jobs(), Ok(true));
    }
}
