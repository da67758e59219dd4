//! Optional YAML front matter between `---` lines at the top of a runbook: `title`,
//! `services`, `alerts`, `aliases`, `tags`. Unknown keys are errors (a typo would silently
//! unlink a runbook from its alerts), and every error carries the file line it is about.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use crate::link::AlertRule;
use crate::yaml::{self, OneOrMany, Scalar};

const KEYS: &[&str] = &["title", "services", "alerts", "aliases", "tags"];

#[derive(Debug, Default)]
pub(crate) struct FrontMatter {
    pub title: Option<String>,
    pub services: Vec<String>,
    /// Each entry as written, with its parsed rule.
    pub alerts: Vec<(String, AlertRule)>,
    pub aliases: Vec<String>,
    pub tags: Vec<String>,
}

/// A front matter problem at a 1-based line of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FrontMatterError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for FrontMatterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "front matter: {}", self.message)
    }
}

/// Where the front matter and the Markdown are in a file's text.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Split<'a> {
    /// The YAML between the `---` lines and the file line it starts on; `None` without front
    /// matter.
    pub yaml: Option<(&'a str, usize)>,
    /// Byte offset where the Markdown starts.
    pub body_start: usize,
}

/// Finds front matter: the first line is `---` (after an optional byte order mark) and a
/// later line is `---` or `...`. A file starting with `---` and no closing line is an error
/// rather than Markdown with a rule at the top: it is almost always unfinished front matter.
pub(crate) fn split(source: &str) -> Result<Split<'_>, FrontMatterError> {
    let start = if source.starts_with('\u{feff}') { 3 } else { 0 };
    let mut lines = source[start..].split_inclusive('\n');
    let Some(first) = lines.next() else {
        return Ok(Split {
            yaml: None,
            body_start: start,
        });
    };
    if first.trim_end() != "---" {
        return Ok(Split {
            yaml: None,
            body_start: start,
        });
    }
    let yaml_start = start + first.len();
    let mut offset = yaml_start;
    for line in lines {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            return Ok(Split {
                yaml: Some((&source[yaml_start..offset], 2)),
                body_start: offset + line.len(),
            });
        }
        offset += line.len();
    }
    Err(FrontMatterError {
        line: 1,
        message: "no closing `---` line (front matter starts with `---` on the first line \
                  and ends at the next `---`)"
            .into(),
    })
}

/// Parses the YAML found by [`split`]; `first_line` is its first line in the file.
pub(crate) fn parse(yaml: &str, first_line: usize) -> Result<FrontMatter, FrontMatterError> {
    match yaml_serde::from_str::<Option<FrontMatter>>(yaml) {
        Ok(fm) => Ok(fm.unwrap_or_default()),
        Err(err) => {
            let (line, message) = yaml::located(&err, first_line);
            Err(FrontMatterError { line, message })
        }
    }
}

/// A front matter key; an unknown one fails where it is written, so the error has its line.
#[derive(Clone, Copy)]
enum Key {
    Title,
    Services,
    Alerts,
    Aliases,
    Tags,
}

/// Reads a key, refusing an unknown or repeated one at its own line.
struct KeySeed<'s>(&'s [bool; 5]);

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Key;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        yaml::scalar_with(d, |name| {
            let key = match name {
                "title" => Key::Title,
                "services" => Key::Services,
                "alerts" => Key::Alerts,
                "aliases" => Key::Aliases,
                "tags" => Key::Tags,
                other => {
                    let hint = yaml::suggest(other, KEYS)
                        .map(|k| format!("did you mean \"{k}\"? "))
                        .unwrap_or_default();
                    return Err(format!(
                        "unknown key \"{other}\" ({hint}known keys: {})",
                        KEYS.join(", ")
                    ));
                }
            };
            if self.0[key as usize] {
                return Err(format!("key \"{name}\" appears twice"));
            }
            Ok(key)
        })
    }
}

/// An `alerts:` entry, checked where it is written.
struct AlertEntry(String, AlertRule);

impl<'de> Deserialize<'de> for AlertEntry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        yaml::scalar_with(d, |text| {
            AlertRule::parse(text)
                .map(|rule| AlertEntry(text.to_string(), rule))
                .map_err(|e| {
                    format!(
                        "alert entry `{text}`: {e} (an entry is an alert name or label matchers)"
                    )
                })
        })
    }
}

impl<'de> Deserialize<'de> for FrontMatter {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = FrontMatter;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                write!(f, "a mapping with the keys {}", KEYS.join(", "))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FrontMatter, A::Error> {
                let mut fm = FrontMatter::default();
                let mut seen = [false; 5];
                while let Some(key) = map.next_key_seed(KeySeed(&seen))? {
                    seen[key as usize] = true;
                    match key {
                        Key::Title => {
                            fm.title = map
                                .next_value::<Option<Scalar>>()?
                                .map(|s| s.0.trim().to_string())
                        }
                        Key::Services => fm.services = strings(map.next_value()?),
                        Key::Alerts => {
                            fm.alerts = map
                                .next_value::<OneOrMany<AlertEntry>>()?
                                .0
                                .into_iter()
                                .map(|AlertEntry(text, rule)| (text, rule))
                                .collect()
                        }
                        Key::Aliases => fm.aliases = strings(map.next_value()?),
                        Key::Tags => fm.tags = strings(map.next_value()?),
                    }
                }
                Ok(fm)
            }
        }
        d.deserialize_map(V)
    }
}

fn strings(list: OneOrMany<Scalar>) -> Vec<String> {
    list.0.into_iter().map(|s| s.0.trim().to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_is_found_between_dashes() {
        let src = "---\ntitle: x\n---\n# Body\n";
        let split = split(src).unwrap();
        assert_eq!(split.yaml, Some(("title: x\n", 2)));
        assert_eq!(&src[split.body_start..], "# Body\n");

        let crlf = "\u{feff}---\r\ntitle: x\r\n...\r\nbody";
        let split = super::split(crlf).unwrap();
        assert_eq!(split.yaml, Some(("title: x\r\n", 2)));
        assert_eq!(&crlf[split.body_start..], "body");

        for plain in ["# Title\n---\n", "", "--- \n"] {
            let s = super::split(plain);
            if plain.starts_with("---") {
                assert_eq!(s.unwrap_err().line, 1);
            } else {
                assert_eq!(s.unwrap().yaml, None, "{plain:?}");
            }
        }
    }

    #[test]
    fn keys_take_one_value_or_a_list() {
        let fm = parse(
            "title: API latency\nservices: payments-api\nalerts:\n  - APIResponseTimeCritical\n  - 'alertname=\"DBQueryRateHigh\", service=~\"orders.*\"'\naliases: [https://wiki/x]\ntags:\n",
            2,
        )
        .unwrap();
        assert_eq!(fm.title.as_deref(), Some("API latency"));
        assert_eq!(fm.services, ["payments-api"]);
        assert_eq!(fm.alerts.len(), 2);
        assert!(matches!(fm.alerts[1].1, AlertRule::Matchers(_)));
        assert_eq!(fm.aliases, ["https://wiki/x"]);
        assert!(fm.tags.is_empty());
        assert!(parse("", 2).unwrap().title.is_none());
        assert!(parse("# only a comment\n", 2).unwrap().services.is_empty());
    }

    #[test]
    fn errors_name_the_file_line() {
        // Lines of the file: 1 is `---`, the YAML starts on 2.
        let cases: &[(&str, usize, &str)] = &[
            (
                "title: x\nservces: [a]\n",
                3,
                "unknown key \"servces\" (did you mean \"services\"?",
            ),
            ("title: x\nservices:\n  - a\n  - [b, c]\n", 5, "services[1]"),
            ("title: x\ntitle: y\n", 3, "appears twice"),
            (
                "title: x\nalerts:\n  - 'service=~\"(\"'\n",
                4,
                "not a valid regular expression",
            ),
            (
                "title: [unclosed\nservices: a\n",
                2,
                "title: invalid type: sequence",
            ),
            (
                "title: ok\nservices: a: b\n",
                3,
                "mapping values are not allowed",
            ),
            ("- a\n- b\n", 2, "a mapping with the keys"),
            ("tags: {a: 1}\n", 2, "a string or a list of strings"),
        ];
        for (yaml, line, says) in cases {
            let err = parse(yaml, 2).expect_err(yaml);
            assert_eq!(err.line, *line, "{yaml:?}: {err}");
            assert!(err.message.contains(says), "{yaml:?}: {err}");
            assert!(!err.message.contains(" column "), "{yaml:?}: {err}");
        }
    }
}
