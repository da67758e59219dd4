//! The YAML pieces shared by front matter and ```` ```opsdeck ```` blocks: scalars read as
//! text, "one or a list", and yaml_serde errors turned into a line of the file.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, IntoDeserializer, SeqAccess, Visitor};
use serde::Deserialize;

/// A YAML error as `(line in the file, message without YAML's own position)`. `first_line` is
/// the file line of the YAML text's first line; errors without a position point there.
pub(crate) fn located(err: &yaml_serde::Error, first_line: usize) -> (usize, String) {
    let line = err
        .location()
        .map_or(first_line, |l| first_line + l.line().saturating_sub(1));
    (line, strip_positions(&err.to_string()))
}

/// yaml_serde appends ` at line L column C` (and libyaml ` at position N`) counted within the
/// YAML text, which would contradict the file line the message is reported at: drop them.
fn strip_positions(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find(" at ") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 4..];
        if let Some(skipped) = skip_position(after) {
            rest = skipped;
        } else {
            out.push_str(" at ");
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// `line 3 column 4…` or `position 17…` → what follows it.
fn skip_position(s: &str) -> Option<&str> {
    fn number(s: &str) -> Option<&str> {
        let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        (end > 0).then(|| &s[end..])
    }
    if let Some(rest) = s.strip_prefix("line ") {
        let rest = number(rest)?;
        let rest = rest.strip_prefix(" column ")?;
        number(rest)
    } else {
        number(s.strip_prefix("position ")?)
    }
}

/// A scalar as its text: `replicas: 6` is `"6"`, `1.10` stays `1.10`. A mapping or a list is
/// an error that says how to quote a value starting with a placeholder, since YAML reads
/// `{{service}}` as a mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Scalar(pub String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        scalar_with(d, |s| Ok(Scalar(s.to_string())))
    }
}

/// A scalar checked by `check` while YAML still knows where it is, so that the error points at
/// the scalar's line rather than at the start of the enclosing mapping.
pub(crate) fn scalar_with<'de, D, T, F>(d: D, check: F) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    F: FnOnce(&str) -> Result<T, String>,
{
    struct With<F>(F);
    impl<'de, T, F: FnOnce(&str) -> Result<T, String>> Visitor<'de> for With<F> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str(
                "a single value (quote a value that starts with a placeholder, \
                 e.g. \"{{namespace}}/api\")",
            )
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            (self.0)(v).map_err(E::custom)
        }
        fn visit_unit<E: de::Error>(self) -> Result<T, E> {
            Err(E::custom("has no value"))
        }
    }
    // deserialize_str hands over the scalar's own text, so numbers are not reformatted.
    d.deserialize_str(With(check))
}

/// `key: one` or `key: [one, two]` (or nothing): YAML authors write both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OneOrMany<T>(pub Vec<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = OneOrMany<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or a list of strings")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                T::deserialize(v.into_deserializer()).map(|one| OneOrMany(vec![one]))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(OneOrMany(Vec::new()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(item) = seq.next_element()? {
                    out.push(item);
                }
                Ok(OneOrMany(out))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// The closest of `known` to a mistyped `key`, if it is close enough to be what was meant.
pub(crate) fn suggest<'a>(key: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (edit_distance(key, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_dropped_and_the_rest_kept() {
        assert_eq!(
            strip_positions(
                "did not find expected key at line 3 column 1, while parsing a block mapping at line 1 column 1"
            ),
            "did not find expected key, while parsing a block mapping"
        );
        assert_eq!(strip_positions("bad at position 12"), "bad");
        // "at" that is not a position stays.
        assert_eq!(
            strip_positions("look at line numbers"),
            "look at line numbers"
        );
    }

    #[test]
    fn typos_get_a_suggestion() {
        let known = ["title", "services", "alerts", "aliases", "tags"];
        assert_eq!(suggest("servces", &known), Some("services"));
        assert_eq!(suggest("alert", &known), Some("alerts"));
        assert_eq!(suggest("owner", &known), None);
    }
}
