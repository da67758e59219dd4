//! Silence matchers on Alertmanager's wire: the parsing and matching live in
//! `opsdeck_domain::matchers` (the simulator matches with the same code); this adds the wire
//! form Alertmanager returns.

use opsdeck_domain::matchers::written;
pub use opsdeck_domain::matchers::{display, matches_all, parse, MatchOp, Matcher, MatcherError};

use super::wire::WireMatcher;

impl From<&WireMatcher> for MatchOp {
    fn from(m: &WireMatcher) -> MatchOp {
        MatchOp::from_flags(m.is_regex, m.is_equal)
    }
}

/// A silence's matcher as Alertmanager returned it, written as the user would type it. Not
/// compiled: Alertmanager accepted it, and showing it must not depend on our regex engine
/// agreeing with Go's.
pub fn display_wire(m: &WireMatcher) -> String {
    written(&m.name, MatchOp::from(m), &m.value)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn wire_round_trip() {
        for text in [
            r#"a="1""#,
            r#"a!="1""#,
            r#"a=~"1|2""#,
            r#"a!~"1|2""#,
            r#""odd.name"="x""#,
        ] {
            let m = &parse(text).unwrap()[0];
            let wire: WireMatcher = serde_json::from_value(m.to_wire()).unwrap();
            assert_eq!(display_wire(&wire), text);
            assert_eq!(&parse(&display_wire(&wire)).unwrap()[0], m);
        }
        // isEqual absent means true (the spec's default).
        let wire: WireMatcher =
            serde_json::from_value(json!({"name": "a", "value": "1", "isRegex": true})).unwrap();
        assert_eq!(MatchOp::from(&wire), MatchOp::Regex);
        // Shown as sent even where our regex engine would disagree with Go's.
        let wire: WireMatcher =
            serde_json::from_value(json!({"name": "a", "value": "(", "isRegex": true})).unwrap();
        assert_eq!(display_wire(&wire), r#"a=~"(""#);
    }
}
