//! Alertmanager silence matchers (Grafana's alerting API takes the same): parsed from what the
//! user types (`name="value"`, `name=~"regex"`, `name!="value"`, `name!~"regex"`,
//! comma-separated, optionally in braces) and matched against label sets the way Alertmanager does, so a plan can list exactly the alerts a
//! silence would hide before it exists.
//!
//! Alertmanager's semantics: a missing label is the empty string; a regex must match the
//! whole value (it is anchored as `^(?:regex)$`). Its regexes are Go's RE2, which the `regex`
//! crate follows closely (both refuse backreferences and look-around); quoted values take the
//! escapes `\"`, `\\`, `\n` and `\t`, as the UI writes them.

use std::fmt;

use regex::Regex;
use serde_json::{json, Value};

/// Label names to values, as alerts carry them.
pub type LabelSet = std::collections::BTreeMap<String, String>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchOp {
    Equal,
    NotEqual,
    Regex,
    NotRegex,
}

impl MatchOp {
    /// From Alertmanager's wire flags `isRegex` and `isEqual`.
    pub fn from_flags(is_regex: bool, is_equal: bool) -> MatchOp {
        match (is_regex, is_equal) {
            (false, true) => MatchOp::Equal,
            (false, false) => MatchOp::NotEqual,
            (true, true) => MatchOp::Regex,
            (true, false) => MatchOp::NotRegex,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MatchOp::Equal => "=",
            MatchOp::NotEqual => "!=",
            MatchOp::Regex => "=~",
            MatchOp::NotRegex => "!~",
        }
    }

    pub fn is_regex(self) -> bool {
        matches!(self, MatchOp::Regex | MatchOp::NotRegex)
    }

    pub fn is_equal(self) -> bool {
        matches!(self, MatchOp::Equal | MatchOp::Regex)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MatcherError {
    #[error("no matchers given: write them as name=\"value\", separated by commas")]
    Empty,
    #[error(
        "matcher {index} `{text}`: {problem} (write name=\"value\", name!=\"value\", \
         name=~\"regex\" or name!~\"regex\", separated by commas)"
    )]
    Syntax {
        index: usize,
        text: String,
        problem: String,
    },
    #[error(
        "matcher {index}: `{name}` is not a label name (letters, digits and _, not starting \
         with a digit; quote any other name)"
    )]
    BadName { index: usize, name: String },
    #[error("matcher {index} `{name}{op}\"{value}\"`: not a valid regular expression: {error}")]
    BadRegex {
        index: usize,
        name: String,
        op: &'static str,
        value: String,
        error: String,
    },
}

/// One matcher, with its regex compiled once.
#[derive(Debug, Clone)]
pub struct Matcher {
    pub name: String,
    pub op: MatchOp,
    pub value: String,
    regex: Option<Regex>,
}

impl PartialEq for Matcher {
    fn eq(&self, other: &Self) -> bool {
        (&self.name, self.op, &self.value) == (&other.name, other.op, &other.value)
    }
}

impl Matcher {
    /// One matcher, as a silence received over the wire carries it; a bad regex is an error.
    pub fn new(name: &str, op: MatchOp, value: &str) -> Result<Matcher, MatcherError> {
        Matcher::numbered(1, name.to_string(), op, value.to_string())
    }

    /// `index` (from 1) only names the matcher in an error.
    fn numbered(
        index: usize,
        name: String,
        op: MatchOp,
        value: String,
    ) -> Result<Matcher, MatcherError> {
        let regex = if op.is_regex() {
            Some(
                Regex::new(&format!("^(?:{value})$")).map_err(|e| MatcherError::BadRegex {
                    index,
                    name: name.clone(),
                    op: op.as_str(),
                    value: value.clone(),
                    error: e.to_string(),
                })?,
            )
        } else {
            None
        };
        Ok(Matcher {
            name,
            op,
            value,
            regex,
        })
    }

    /// `name="value"`: how a silence starts from an alert's own labels.
    pub fn equal(name: &str, value: &str) -> Matcher {
        Matcher {
            name: name.to_string(),
            op: MatchOp::Equal,
            value: value.to_string(),
            regex: None,
        }
    }

    /// Alertmanager's semantics: a missing label reads as "".
    pub fn matches(&self, labels: &LabelSet) -> bool {
        let value = labels.get(&self.name).map_or("", String::as_str);
        self.matches_value(value)
    }

    fn matches_value(&self, value: &str) -> bool {
        match (self.op, &self.regex) {
            (MatchOp::Equal, _) => value == self.value,
            (MatchOp::NotEqual, _) => value != self.value,
            (MatchOp::Regex, Some(re)) => re.is_match(value),
            (MatchOp::NotRegex, Some(re)) => !re.is_match(value),
            // Regex ops always carry their compiled regex (see `new`).
            (MatchOp::Regex | MatchOp::NotRegex, None) => false,
        }
    }

    /// Whether the matcher would also hold for a label that is absent: Alertmanager refuses a
    /// silence whose matchers all do, as it would silence nearly everything.
    pub fn matches_empty(&self) -> bool {
        self.matches_value("")
    }

    /// As `POST /api/v2/silences` takes it.
    pub fn to_wire(&self) -> Value {
        json!({
            "name": self.name,
            "value": self.value,
            "isRegex": self.op.is_regex(),
            "isEqual": self.op.is_equal(),
        })
    }
}

impl fmt::Display for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&written(&self.name, self.op, &self.value))
    }
}

/// `name op "value"`, quoting a name that is not a classic label name.
pub fn written(name: &str, op: MatchOp, value: &str) -> String {
    let name = if is_label_name(name) {
        name.to_string()
    } else {
        format!("\"{}\"", escape(name))
    };
    format!("{name}{}\"{}\"", op.as_str(), escape(value))
}

/// Every matcher holds for `labels`.
pub fn matches_all(matchers: &[Matcher], labels: &LabelSet) -> bool {
    matchers.iter().all(|m| m.matches(labels))
}

/// The matchers as the user writes them again: `a="1", b=~"x|y"`.
pub fn display(matchers: &[Matcher]) -> String {
    matchers
        .iter()
        .map(Matcher::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// Prometheus' classic label name: what an unquoted name may be.
fn is_label_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Parses `name="value", name=~"regex", …` (optionally wrapped in `{…}`).
pub fn parse(text: &str) -> Result<Vec<Matcher>, MatcherError> {
    let trimmed = text.trim();
    let inner = trimmed
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .unwrap_or(trimmed);
    let mut parser = Parser {
        chars: inner.char_indices().peekable(),
        text: inner,
    };
    let mut matchers = Vec::new();
    loop {
        parser.skip_whitespace();
        if parser.at_end() {
            break;
        }
        // An empty item (`a="1",,b="2"`, a lone comma) is skipped, not an error.
        if parser.peek() == Some(',') {
            parser.next();
            continue;
        }
        let index = matchers.len() + 1;
        let start = parser.offset();
        let matcher = parser
            .matcher(index)
            .map_err(|problem| problem.into_error(index, parser.fragment(start)))?;
        matchers.push(matcher);
        parser.skip_whitespace();
        match parser.next() {
            None => break,
            Some(',') => {}
            Some(c) => {
                return Err(MatcherError::Syntax {
                    index,
                    text: parser.fragment(start),
                    problem: format!(
                        "unexpected `{c}` after the value; separate matchers with commas"
                    ),
                })
            }
        }
    }
    if matchers.is_empty() {
        return Err(MatcherError::Empty);
    }
    Ok(matchers)
}

/// A parse failure before it knows which fragment to quote.
enum Problem {
    Syntax(String),
    Error(MatcherError),
}

impl Problem {
    fn into_error(self, index: usize, text: String) -> MatcherError {
        match self {
            Problem::Syntax(problem) => MatcherError::Syntax {
                index,
                text,
                problem,
            },
            Problem::Error(e) => e,
        }
    }
}

struct Parser<'a> {
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    text: &'a str,
}

impl Parser<'_> {
    fn offset(&mut self) -> usize {
        self.chars.peek().map_or(self.text.len(), |(i, _)| *i)
    }

    fn at_end(&mut self) -> bool {
        self.chars.peek().is_none()
    }

    fn peek(&mut self) -> Option<char> {
        self.chars.peek().map(|(_, c)| *c)
    }

    fn next(&mut self) -> Option<char> {
        self.chars.next().map(|(_, c)| c)
    }

    fn skip_whitespace(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.next();
        }
    }

    /// The text of the matcher starting at `start`, up to the next comma, for error messages.
    fn fragment(&self, start: usize) -> String {
        let rest = &self.text[start.min(self.text.len())..];
        let end = rest.find(',').unwrap_or(rest.len());
        rest[..end].trim().to_string()
    }

    fn matcher(&mut self, index: usize) -> Result<Matcher, Problem> {
        let name = if self.peek() == Some('"') {
            let name = self.quoted()?;
            if name.is_empty() {
                return Err(Problem::Syntax("the label name is empty".into()));
            }
            name
        } else {
            let mut name = String::new();
            while let Some(c) = self
                .peek()
                .filter(|c| !c.is_whitespace() && !matches!(c, '=' | '!' | ',' | '"'))
            {
                name.push(c);
                self.next();
            }
            if name.is_empty() {
                return Err(Problem::Syntax("a label name is missing".into()));
            }
            if !is_label_name(&name) {
                return Err(Problem::Error(MatcherError::BadName { index, name }));
            }
            name
        };
        self.skip_whitespace();
        let op = match (self.next(), self.peek()) {
            (Some('='), Some('~')) => {
                self.next();
                MatchOp::Regex
            }
            (Some('!'), Some('=')) => {
                self.next();
                MatchOp::NotEqual
            }
            (Some('!'), Some('~')) => {
                self.next();
                MatchOp::NotRegex
            }
            (Some('='), _) => MatchOp::Equal,
            _ => {
                return Err(Problem::Syntax(format!(
                    "expected =, !=, =~ or !~ after `{name}`"
                )))
            }
        };
        self.skip_whitespace();
        let value = if self.peek() == Some('"') {
            self.quoted()?
        } else {
            // Unquoted: up to the next comma, so `alertname=HighLatency` works on a command line.
            let mut value = String::new();
            while let Some(c) = self.peek().filter(|c| *c != ',') {
                value.push(c);
                self.next();
            }
            let value = value.trim_end().to_string();
            if value.contains('"') {
                return Err(Problem::Syntax(
                    "a value with a quote must be quoted as a whole".into(),
                ));
            }
            value
        };
        Matcher::numbered(index, name, op, value).map_err(Problem::Error)
    }

    /// A double-quoted string; the opening quote is next.
    fn quoted(&mut self) -> Result<String, Problem> {
        self.next();
        let mut out = String::new();
        loop {
            match self.next() {
                None => return Err(Problem::Syntax("the closing quote is missing".into())),
                Some('"') => return Ok(out),
                Some('\\') => match self.next() {
                    Some('"') => out.push('"'),
                    Some('\\') => out.push('\\'),
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some(c) => {
                        return Err(Problem::Syntax(format!(
                            "unknown escape `\\{c}` (use \\\", \\\\, \\n or \\t)"
                        )))
                    }
                    None => return Err(Problem::Syntax("the closing quote is missing".into())),
                },
                Some(c) => out.push(c),
            }
        }
    }
}

/// Prometheus' fingerprint of a label set (`model.LabelSet.Fingerprint`): FNV-1a 64 over the
/// names in byte order, each name and value followed by the byte 0xff, printed as `%016x`.
/// Alertmanager identifies alerts by it, so an alert seen only in Prometheus' `ALERTS` series
/// gets the identity Alertmanager would have given it.
pub fn fingerprint(labels: &LabelSet) -> String {
    const OFFSET: u64 = 14_695_981_039_346_656_037;
    const PRIME: u64 = 1_099_511_628_211;
    const SEPARATOR: u8 = 0xff;
    let mut hash = OFFSET;
    let mut add = |bytes: &[u8]| {
        for byte in bytes {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(PRIME);
        }
    };
    // A BTreeMap iterates in byte order of its keys, as Go's sort.Strings orders them.
    for (name, value) in labels {
        add(name.as_bytes());
        add(&[SEPARATOR]);
        add(value.as_bytes());
        add(&[SEPARATOR]);
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> LabelSet {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn ops(text: &str) -> Vec<(String, MatchOp, String)> {
        parse(text)
            .unwrap_or_else(|e| panic!("{text}: {e}"))
            .into_iter()
            .map(|m| (m.name, m.op, m.value))
            .collect()
    }

    #[test]
    fn every_operator_parses() {
        assert_eq!(
            ops(r#"alertname="HighLatency", service=~"pay.*" , env!="dev",team!~"a|b""#),
            vec![
                ("alertname".into(), MatchOp::Equal, "HighLatency".into()),
                ("service".into(), MatchOp::Regex, "pay.*".into()),
                ("env".into(), MatchOp::NotEqual, "dev".into()),
                ("team".into(), MatchOp::NotRegex, "a|b".into()),
            ]
        );
    }

    #[test]
    fn braces_unquoted_values_and_a_trailing_comma() {
        assert_eq!(
            ops("{alertname=HighLatency, severity = page,}"),
            vec![
                ("alertname".into(), MatchOp::Equal, "HighLatency".into()),
                ("severity".into(), MatchOp::Equal, "page".into()),
            ]
        );
    }

    #[test]
    fn quoted_values_keep_commas_quotes_and_escapes() {
        let m = parse(r#"q="say \"hi\", \\ now\n", "odd.name"="x""#).unwrap();
        assert_eq!(m[0].value, "say \"hi\", \\ now\n");
        assert_eq!(m[1].name, "odd.name");
        // Display writes them back the way they parse.
        let again = parse(&display(&m)).unwrap();
        assert_eq!(again, m);
    }

    #[test]
    fn bad_input_names_the_matcher_and_the_problem() {
        let cases: &[(&str, &str)] = &[
            ("", "no matchers"),
            ("  ,  ", "no matchers"),
            (r#"alertname"#, "expected =, !=, =~ or !~ after `alertname`"),
            (r#"alertname=="x""#, "matcher 1"),
            (
                r#"a="1", ="2""#,
                "matcher 2 `=\"2\"`: a label name is missing",
            ),
            (r#"a="unterminated"#, "closing quote is missing"),
            (r#"a="x" b="y""#, "separate matchers with commas"),
            (r#"9lives="x""#, "`9lives` is not a label name"),
            (r#"a=~"(""#, "not a valid regular expression"),
            (r#"a="\q""#, "unknown escape"),
        ];
        for (text, says) in cases {
            let e = parse(text).expect_err(text).to_string();
            assert!(e.contains(says), "{text:?}: {e}");
        }
    }

    #[test]
    fn matching_follows_alertmanager() {
        let l = labels(&[("alertname", "HighLatency"), ("service", "payments-api")]);
        let holds = |text: &str| matches_all(&parse(text).unwrap(), &l);
        assert!(holds(r#"alertname="HighLatency""#));
        assert!(!holds(r#"alertname="High""#));
        // Regexes are anchored: a partial match is no match.
        assert!(!holds(r#"service=~"payments""#));
        assert!(holds(r#"service=~"payments.*""#));
        assert!(holds(r#"service=~"billing|payments-api""#));
        assert!(holds(r#"service!~"billing.*""#));
        assert!(!holds(r#"service!~"pay.*""#));
        // A missing label is "": it equals "" and differs from anything else.
        assert!(holds(r#"team="""#));
        assert!(holds(r#"team!="payments""#));
        assert!(holds(r#"team=~"|x""#));
        assert!(!holds(r#"team=~".+""#));
        // All must hold.
        assert!(!holds(r#"alertname="HighLatency", service="billing""#));
    }

    #[test]
    fn matchers_that_hold_for_an_absent_label() {
        for (text, empty) in [
            (r#"a="""#, true),
            (r#"a!="x""#, true),
            (r#"a=~".*""#, true),
            (r#"a="x""#, false),
            (r#"a=~".+""#, false),
            (r#"a!~".*""#, false),
        ] {
            assert_eq!(parse(text).unwrap()[0].matches_empty(), empty, "{text}");
        }
    }

    #[test]
    fn wire_flags_round_trip() {
        for op in [
            MatchOp::Equal,
            MatchOp::NotEqual,
            MatchOp::Regex,
            MatchOp::NotRegex,
        ] {
            let m = Matcher::new("a", op, "1").unwrap();
            let wire = m.to_wire();
            let back = MatchOp::from_flags(
                wire["isRegex"].as_bool().unwrap(),
                wire["isEqual"].as_bool().unwrap(),
            );
            assert_eq!(back, op);
        }
        assert!(Matcher::new("a", MatchOp::Regex, "(").is_err());
    }

    #[test]
    fn fingerprints_follow_prometheus() {
        // The empty set is FNV-1a's offset basis, as in prometheus/common.
        assert_eq!(fingerprint(&LabelSet::new()), "cbf29ce484222325");
        // prometheus/common's signature test (LabelsToSignature).
        assert_eq!(
            fingerprint(&labels(&[
                ("name", "garland, briggs"),
                ("fear", "love is not enough")
            ])),
            format!("{:016x}", 5_799_056_148_416_392_346_u64)
        );
        assert_ne!(
            fingerprint(&labels(&[("ab", "c")])),
            fingerprint(&labels(&[("a", "bc")]))
        );
    }
}
