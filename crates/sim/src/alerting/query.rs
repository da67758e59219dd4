//! Query parameters as Alertmanager reads them: booleans that must say `true` or `false`,
//! `filter` as repeated label matchers, `receiver` as an anchored regex. Grafana's own
//! endpoints read their parameters through the same [`Params`].

use opsdeck_domain::matchers::{parse, Matcher};
use regex::Regex;

use crate::query_string::QueryString;

/// A refused request: 400 with Alertmanager's JSON string body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BadRequest(pub String);

#[derive(Debug, Clone, Default)]
pub(crate) struct Params {
    query: QueryString,
}

impl Params {
    pub(crate) fn parse(raw: Option<&str>) -> Params {
        Params {
            query: QueryString::parse(raw),
        }
    }

    /// The last value given for `name`.
    pub(crate) fn last(&self, name: &str) -> Option<&str> {
        self.query.last(name)
    }

    /// The first value given for `name`, as Go's `url.Values.Get` (Grafana's `c.Query`) reads
    /// it.
    pub(crate) fn first(&self, name: &str) -> Option<&str> {
        self.query.first(name)
    }

    /// Every value given for `name`, in order.
    pub(crate) fn all(&self, name: &str) -> Vec<&str> {
        self.query.all_where(|k| k == name)
    }

    /// A boolean with its default, as Go's `strconv.ParseBool` reads it.
    pub(crate) fn flag(&self, name: &str, default: bool) -> Result<bool, BadRequest> {
        match self.last(name) {
            None => Ok(default),
            Some(text) => go_bool(text).ok_or_else(|| {
                BadRequest(format!("{name} in query must be of type bool: \"{text}\""))
            }),
        }
    }

    /// Every `filter` parameter's matchers, all of which must hold.
    pub(crate) fn filter(&self) -> Result<Vec<Matcher>, BadRequest> {
        let mut all = Vec::new();
        for text in self.all("filter") {
            let matchers =
                parse(text).map_err(|e| BadRequest(format!("bad matcher format: {e}")))?;
            all.extend(matchers);
        }
        Ok(all)
    }

    /// `receiver`: a regex the receiver's whole name must match.
    pub(crate) fn receiver(&self) -> Result<Option<Regex>, BadRequest> {
        self.last("receiver")
            .map(|text| {
                Regex::new(&format!("^(?:{text})$"))
                    .map_err(|e| BadRequest(format!("failed to parse receiver param: {e}")))
            })
            .transpose()
    }
}

/// Go's `strconv.ParseBool`.
pub(crate) fn go_bool(text: &str) -> Option<bool> {
    match text {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_default_and_refuse_what_go_refuses() {
        let p = Params::parse(Some("active=false&silenced=1&inhibited=yes"));
        assert_eq!(p.flag("active", true), Ok(false));
        assert_eq!(p.flag("silenced", false), Ok(true));
        assert_eq!(p.flag("unprocessed", true), Ok(true));
        let e = p.flag("inhibited", true).unwrap_err();
        assert!(e.0.contains("inhibited"), "{e:?}");
    }

    #[test]
    fn filters_add_up_and_bad_ones_say_why() {
        let p = Params::parse(Some(
            "filter=alertname%3D%22A%22&filter=%7Bservice%3D~%22pay.*%22%7D",
        ));
        let names: Vec<String> = p.filter().unwrap().iter().map(|m| m.to_string()).collect();
        assert_eq!(names, [r#"alertname="A""#, r#"service=~"pay.*""#]);
        let bad = Params::parse(Some("filter=%3D%22A%22"));
        assert!(bad
            .filter()
            .unwrap_err()
            .0
            .starts_with("bad matcher format"));
        let receiver = Params::parse(Some("receiver=def.*"))
            .receiver()
            .unwrap()
            .unwrap();
        assert!(receiver.is_match("default"));
        assert!(!Params::parse(Some("receiver=fault"))
            .receiver()
            .unwrap()
            .unwrap()
            .is_match("default"));
    }
}
