//! Query strings the way PagerDuty reads them: repeated `name[]=` keys for lists, offset
//! pagination, ISO 8601 times. Every refusal names the parameter.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Tz;
use serde_json::{json, Map, Value};

use super::error::ApiError;
use crate::query_string::QueryString;
use crate::scenario::resolve_local;

#[derive(Debug, Clone, Default)]
pub(crate) struct Query {
    query: QueryString,
}

impl Query {
    pub(crate) fn parse(raw: Option<&str>) -> Query {
        Query {
            query: QueryString::parse(raw),
        }
    }

    /// The values of a list parameter, sent as `name[]=a&name[]=b` (a bare `name=` also counts).
    pub(crate) fn list(&self, name: &str) -> Vec<&str> {
        let bracketed = format!("{name}[]");
        self.query.all_where(|k| k == bracketed || k == name)
    }

    /// A single-valued parameter; the last occurrence wins.
    pub(crate) fn one(&self, name: &str) -> Option<&str> {
        self.query.last(name)
    }

    pub(crate) fn count(&self, name: &str) -> Result<Option<usize>, ApiError> {
        self.one(name)
            .map(|text| {
                text.parse::<usize>().map_err(|_| {
                    ApiError::invalid(format!(
                        "{name}: must be a non-negative integer, got {text:?}"
                    ))
                })
            })
            .transpose()
    }

    pub(crate) fn flag(&self, name: &str) -> Result<Option<bool>, ApiError> {
        self.one(name)
            .map(|text| match text {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(ApiError::invalid(format!(
                    "{name}: must be true or false, got {text:?}"
                ))),
            })
            .transpose()
    }

    /// `time_zone`, an IANA zone name.
    pub(crate) fn time_zone(&self) -> Result<Option<Tz>, ApiError> {
        self.one("time_zone")
            .map(|text| {
                text.parse::<Tz>().map_err(|_| {
                    ApiError::invalid(format!("time_zone: unknown time zone {text:?}"))
                })
            })
            .transpose()
    }

    /// An ISO 8601 instant; one without an offset (or a bare date) is read in `tz`.
    pub(crate) fn time(&self, name: &str, tz: Tz) -> Result<Option<DateTime<Utc>>, ApiError> {
        self.one(name)
            .map(|text| {
                parse_time(text, tz).ok_or_else(|| {
                    ApiError::invalid(format!("{name}: not an ISO 8601 date-time: {text:?}"))
                })
            })
            .transpose()
    }

    /// The values of an enumerated list parameter, each checked against `allowed`.
    pub(crate) fn words<T>(
        &self,
        name: &str,
        allowed: &[&str],
        from_name: impl Fn(&str) -> Option<T>,
    ) -> Result<Vec<T>, ApiError> {
        self.list(name)
            .into_iter()
            .map(|text| {
                from_name(text).ok_or_else(|| {
                    ApiError::invalid(format!(
                        "{name}[]: unknown value {text:?}, expected one of {}",
                        allowed.join(", ")
                    ))
                })
            })
            .collect()
    }

    pub(crate) fn page(&self, default_limit: usize, max_limit: usize) -> Result<Page, ApiError> {
        let limit = self.count("limit")?.unwrap_or(default_limit);
        if limit == 0 {
            return Err(ApiError::invalid("limit: must be at least 1"));
        }
        Ok(Page {
            offset: self.count("offset")?.unwrap_or(0),
            // PagerDuty caps an oversized limit rather than refusing it, and echoes the cap.
            limit: limit.min(max_limit),
            total: self.flag("total")?.unwrap_or(false),
        })
    }
}

fn parse_time(text: &str, tz: Tz) -> Option<DateTime<Utc>> {
    // An unencoded `+` in a query string arrives as a space.
    let text = text.trim().replace(' ', "+");
    if let Ok(t) = DateTime::parse_from_rfc3339(&text) {
        return Some(t.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M%z"] {
        if let Ok(t) = DateTime::parse_from_str(&text, format) {
            return Some(t.with_timezone(&Utc));
        }
    }
    let naive = ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(&text, format).ok())
        .or_else(|| {
            NaiveDate::parse_from_str(&text, "%Y-%m-%d")
                .ok()
                .map(|d| d.and_time(NaiveTime::MIN))
        })?;
    Some(resolve_local(tz, naive))
}

/// Offset pagination as PagerDuty echoes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Page {
    pub offset: usize,
    pub limit: usize,
    /// Whether `total` is counted (`total=true`); otherwise it is null.
    pub total: bool,
}

impl Page {
    /// The page's slice of `items` under `key`, with `limit`, `offset`, `more` and `total`.
    pub(crate) fn render(&self, key: &str, items: Vec<Value>) -> Value {
        let all = items.len();
        let shown: Vec<Value> = items
            .into_iter()
            .skip(self.offset)
            .take(self.limit)
            .collect();
        let more = self.offset.saturating_add(shown.len()) < all;
        let mut body = Map::new();
        body.insert(key.to_owned(), Value::Array(shown));
        body.insert("limit".into(), json!(self.limit));
        body.insert("offset".into(), json!(self.offset));
        body.insert("more".into(), json!(more));
        body.insert(
            "total".into(),
            if self.total { json!(all) } else { Value::Null },
        );
        Value::Object(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn q(raw: &str) -> Query {
        Query::parse(Some(raw))
    }

    #[test]
    fn lists_take_bracketed_and_bare_keys() {
        let query = q("statuses%5B%5D=triggered&statuses[]=acknowledged&statuses=resolved&x=1");
        assert_eq!(
            query.list("statuses"),
            ["triggered", "acknowledged", "resolved"]
        );
        assert!(query.list("urgencies").is_empty());
    }

    #[test]
    fn numbers_and_flags_name_the_parameter_when_refused() {
        let err = q("limit=abc").page(25, 100).expect_err("abc is no limit");
        assert!(err.to_string().contains("limit"), "{err}");
        let err = q("offset=-1").page(25, 100).expect_err("negative offset");
        assert!(err.to_string().contains("offset"), "{err}");
        let err = q("total=yes").page(25, 100).expect_err("yes is no flag");
        assert!(err.to_string().contains("total"), "{err}");
        assert!(q("limit=0").page(25, 100).is_err());
        assert_eq!(
            q("limit=500&offset=3&total=true").page(25, 100),
            Ok(Page {
                offset: 3,
                limit: 100,
                total: true
            })
        );
        assert_eq!(
            q("").page(25, 100),
            Ok(Page {
                offset: 0,
                limit: 25,
                total: false
            })
        );
    }

    #[test]
    fn times_accept_iso_forms_and_read_naive_ones_in_the_zone() {
        let utc = |h| {
            Utc.with_ymd_and_hms(2026, 5, 4, h, 0, 0)
                .single()
                .expect("valid")
        };
        let berlin: Tz = "Europe/Berlin".parse().expect("zone");
        for (text, tz, expected) in [
            ("2026-05-04T06:00:00Z", Tz::UTC, utc(6)),
            ("2026-05-04T08:00:00+02:00", Tz::UTC, utc(6)),
            ("2026-05-04T08:00:00 02:00", Tz::UTC, utc(6)),
            ("2026-05-04T08:00:00", berlin, utc(6)),
            ("2026-05-04T06:00", Tz::UTC, utc(6)),
            ("2026-05-04", Tz::UTC, utc(0)),
        ] {
            assert_eq!(
                q(&format!("since={}", text.replace('+', "%2B"))).time("since", tz),
                Ok(Some(expected)),
                "{text}"
            );
        }
        let err = q("since=yesterday")
            .time("since", Tz::UTC)
            .expect_err("not a time");
        assert!(err.to_string().contains("since"), "{err}");
    }

    #[test]
    fn pages_say_whether_more_follow() {
        let items: Vec<Value> = (0..5).map(|i| json!(i)).collect();
        let page = Page {
            offset: 2,
            limit: 2,
            total: false,
        };
        assert_eq!(
            page.render("n", items.clone()),
            json!({"n": [2, 3], "limit": 2, "offset": 2, "more": true, "total": null})
        );
        let last = Page {
            offset: 4,
            limit: 2,
            total: true,
        };
        assert_eq!(
            last.render("n", items),
            json!({"n": [4], "limit": 2, "offset": 4, "more": false, "total": 5})
        );
    }
}
