//! Typed reads from a YAML mapping, with errors that name the file, the place and the key.
//! The loader walks the YAML itself because serde's `deny_unknown_fields` cannot say which
//! event a bad key is in.

use std::collections::BTreeMap;

use chrono::NaiveTime;
use yaml_serde::{Mapping, Value};

use super::error::{ErrorKind, Location, ScenarioError};
use super::time::ScenarioTime;

/// Where errors are reported: the file and the section or event being read.
#[derive(Debug, Clone)]
pub(crate) struct Place<'f> {
    pub file: &'f str,
    pub location: Location,
}

impl<'f> Place<'f> {
    pub fn section(file: &'f str, path: impl Into<String>) -> Self {
        Place {
            file,
            location: Location::Section(path.into()),
        }
    }

    pub fn error(&self, key: Option<&str>, kind: ErrorKind) -> ScenarioError {
        ScenarioError::new(self.file, self.location.clone(), key, kind)
    }

    pub fn at_key(&self, key: &str, kind: ErrorKind) -> ScenarioError {
        self.error(Some(key), kind)
    }

    /// A place inside this section (`services[2]` + `kubernetes`); events keep their location and
    /// name nested keys with a dotted prefix instead.
    pub fn child(&self, name: &str) -> Place<'f> {
        let location = match &self.location {
            Location::Section(path) if path.is_empty() => Location::Section(name.to_owned()),
            Location::Section(path) if name.starts_with('[') => {
                Location::Section(format!("{path}{name}"))
            }
            Location::Section(path) => Location::Section(format!("{path}.{name}")),
            other => other.clone(),
        };
        Place {
            file: self.file,
            location,
        }
    }
}

pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

/// A YAML mapping being read at one place; `prefix` dots nested keys inside an event.
pub(crate) struct Fields<'a, 'f> {
    map: &'a Mapping,
    pub place: Place<'f>,
    prefix: String,
}

impl<'a, 'f> Fields<'a, 'f> {
    /// `value` must be a mapping; `key` names it in the error when it is not.
    pub fn of(
        value: &'a Value,
        place: Place<'f>,
        key: Option<&str>,
    ) -> Result<Self, ScenarioError> {
        match value {
            Value::Mapping(map) => Ok(Fields {
                map,
                place,
                prefix: String::new(),
            }),
            other => Err(place.error(
                key,
                ErrorKind::WrongType {
                    expected: "a mapping",
                    found: type_name(other),
                },
            )),
        }
    }

    /// A mapping nested under `key` of this one, reported at the same place with dotted keys.
    pub fn nested(&self, key: &str, value: &'a Value) -> Result<Fields<'a, 'f>, ScenarioError> {
        let path = self.path(key);
        let mut fields = Fields::of(value, self.place.clone(), Some(&path))?;
        fields.prefix = format!("{path}.");
        Ok(fields)
    }

    pub fn path(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    pub fn error(&self, key: &str, kind: ErrorKind) -> ScenarioError {
        self.place.at_key(&self.path(key), kind)
    }

    /// The keys in document order; a non-string key is a type error.
    pub fn keys(&self) -> Result<Vec<&'a str>, ScenarioError> {
        self.map
            .keys()
            .map(|k| match k {
                Value::String(s) => Ok(s.as_str()),
                other => Err(self.place.error(
                    Some(&format!("{}{}", self.prefix, scalar_text(other))),
                    ErrorKind::WrongType {
                        expected: "a string key",
                        found: type_name(other),
                    },
                )),
            })
            .collect()
    }

    /// Refuses the first key (in document order) that is not in `allowed`.
    pub fn only(&self, allowed: &'static [&'static str]) -> Result<(), ScenarioError> {
        match self.keys()?.into_iter().find(|k| !allowed.contains(k)) {
            Some(unknown) => Err(self.error(unknown, ErrorKind::UnknownKey { allowed })),
            None => Ok(()),
        }
    }

    /// The value under `key`; an explicit null counts as absent.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub fn required(&self, key: &str) -> Result<&'a Value, ScenarioError> {
        self.get(key)
            .ok_or_else(|| self.error(key, ErrorKind::MissingKey))
    }

    fn wrong_type(&self, key: &str, expected: &'static str, value: &Value) -> ScenarioError {
        self.error(
            key,
            ErrorKind::WrongType {
                expected,
                found: type_name(value),
            },
        )
    }

    fn as_text(&self, key: &str, value: &'a Value) -> Result<String, ScenarioError> {
        match value {
            Value::String(s) if s.trim().is_empty() => {
                Err(self.error(key, ErrorKind::Invalid("must not be empty".into())))
            }
            Value::String(s) => Ok(s.clone()),
            other => Err(self.wrong_type(key, "a string", other)),
        }
    }

    pub fn string(&self, key: &str) -> Result<String, ScenarioError> {
        self.as_text(key, self.required(key)?)
    }

    pub fn opt_string(&self, key: &str) -> Result<Option<String>, ScenarioError> {
        self.get(key).map(|v| self.as_text(key, v)).transpose()
    }

    fn as_u64(&self, key: &str, value: &Value) -> Result<u64, ScenarioError> {
        value
            .as_u64()
            .ok_or_else(|| self.wrong_type(key, "a non-negative integer", value))
    }

    pub fn u64(&self, key: &str) -> Result<u64, ScenarioError> {
        self.as_u64(key, self.required(key)?)
    }

    pub fn opt_u64(&self, key: &str) -> Result<Option<u64>, ScenarioError> {
        self.get(key).map(|v| self.as_u64(key, v)).transpose()
    }

    pub fn u32(&self, key: &str) -> Result<u32, ScenarioError> {
        self.opt_u32(key)?
            .ok_or_else(|| self.error(key, ErrorKind::MissingKey))
    }

    pub fn opt_u32(&self, key: &str) -> Result<Option<u32>, ScenarioError> {
        match self.opt_u64(key)? {
            None => Ok(None),
            Some(n) => u32::try_from(n)
                .map(Some)
                .map_err(|_| self.error(key, ErrorKind::Invalid(format!("{n} is too large")))),
        }
    }

    /// A word from a closed set, such as `urgency: high`.
    pub fn opt_word<T>(
        &self,
        key: &str,
        allowed: &'static [&'static str],
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Option<T>, ScenarioError> {
        let Some(value) = self.get(key) else {
            return Ok(None);
        };
        let Value::String(text) = value else {
            return Err(self.wrong_type(key, "a string", value));
        };
        parse(text).map(Some).ok_or_else(|| {
            self.error(
                key,
                ErrorKind::BadValue {
                    value: text.clone(),
                    allowed,
                },
            )
        })
    }

    pub fn word<T>(
        &self,
        key: &str,
        allowed: &'static [&'static str],
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<T, ScenarioError> {
        self.opt_word(key, allowed, parse)?
            .ok_or_else(|| self.error(key, ErrorKind::MissingKey))
    }

    pub fn opt_time(
        &self,
        key: &str,
        day_starts: NaiveTime,
    ) -> Result<Option<ScenarioTime>, ScenarioError> {
        let Some(value) = self.get(key) else {
            return Ok(None);
        };
        let Value::String(text) = value else {
            return Err(self.wrong_type(key, "a quoted time such as \"05:30\"", value));
        };
        ScenarioTime::parse(text, day_starts)
            .map(Some)
            .map_err(|reason| {
                self.error(
                    key,
                    ErrorKind::BadTime {
                        value: text.clone(),
                        reason,
                    },
                )
            })
    }

    pub fn time(&self, key: &str, day_starts: NaiveTime) -> Result<ScenarioTime, ScenarioError> {
        self.opt_time(key, day_starts)?
            .ok_or_else(|| self.error(key, ErrorKind::MissingKey))
    }

    /// A list; absent means empty.
    pub fn list(&self, key: &str) -> Result<&'a [Value], ScenarioError> {
        match self.get(key) {
            None => Ok(&[]),
            Some(Value::Sequence(items)) => Ok(items),
            Some(other) => Err(self.wrong_type(key, "a list", other)),
        }
    }

    /// A list of strings such as `tags` or `nodes`; absent means empty.
    pub fn strings(&self, key: &str) -> Result<Vec<String>, ScenarioError> {
        self.list(key)?
            .iter()
            .enumerate()
            .map(|(i, item)| self.as_text(&format!("{key}[{i}]"), item))
            .collect()
    }

    /// A flat map of labels; scalars are taken as their text since YAML readers write
    /// `code: 500` for what Prometheus calls the string "500".
    pub fn labels(&self, key: &str) -> Result<BTreeMap<String, String>, ScenarioError> {
        let Some(value) = self.get(key) else {
            return Ok(BTreeMap::new());
        };
        let labels = self.nested(key, value)?;
        let mut out = BTreeMap::new();
        for name in labels.keys()? {
            let text = match labels.map.get(name) {
                Some(Value::String(s)) => s.clone(),
                Some(v @ (Value::Number(_) | Value::Bool(_))) => scalar_text(v),
                Some(other) => return Err(labels.wrong_type(name, "a string", other)),
                None => continue,
            };
            out.insert(name.to_owned(), text);
        }
        Ok(out)
    }
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => type_name(other).to_owned(),
    }
}
