//! Load errors. Every error names the file, where in it (an event's index or a section path) and
//! the key, both in its message and as fields, so tools can point at the exact spot.

use std::fmt;

use super::event::EventKindName;
use super::time::{ScenarioTime, TimeError};

/// Where in a scenario file an error lies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The file as a whole (it could not be read).
    File,
    /// A position reported by the YAML parser (1-based).
    Line { line: usize, column: usize },
    /// A top-level section or an object inside one, such as `clock` or `services[2].kubernetes`;
    /// the empty path is the top level itself.
    Section(String),
    /// `events[index]`, with its kind once that is known.
    Event {
        index: usize,
        kind: Option<EventKindName>,
    },
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File => f.write_str("file"),
            Location::Line { line, column } => write!(f, "line {line}, column {column}"),
            Location::Section(path) if path.is_empty() => f.write_str("top level"),
            Location::Section(path) => f.write_str(path),
            Location::Event { index, kind: None } => write!(f, "events[{index}]"),
            Location::Event {
                index,
                kind: Some(kind),
            } => write!(f, "events[{index}] ({kind})"),
        }
    }
}

/// What is wrong; the key it concerns is [`ScenarioError::key`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    Io(String),
    Syntax(String),
    UnknownKey {
        allowed: &'static [&'static str],
    },
    UnknownEventKind,
    NoEventKind,
    /// The key is the second kind found.
    SeveralEventKinds {
        kinds: Vec<String>,
    },
    MissingKey,
    /// `conclusion` on a completed CI run.
    ConclusionRequired,
    WrongType {
        expected: &'static str,
        found: &'static str,
    },
    BadValue {
        value: String,
        allowed: &'static [&'static str],
    },
    BadTime {
        value: String,
        reason: TimeError,
    },
    OutOfOrder {
        at: ScenarioTime,
        previous: ScenarioTime,
    },
    UndeclaredService(String),
    UndeclaredPerson(String),
    UndeclaredContext(String),
    UndeclaredNode {
        context: String,
        node: String,
    },
    /// A `state: resolved` alert event that matches no firing alert.
    ResolvesNothing {
        name: String,
    },
    NoKubernetes {
        service: String,
    },
    NoPagerDuty {
        service: String,
    },
    UnknownTimeZone(String),
    UnsupportedVersion(String),
    Duplicate(String),
    Invalid(String),
}

/// A scenario that cannot be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {}", self.describe())]
pub struct ScenarioError {
    /// The file's label: the path given to [`super::load_file`] or the label given to
    /// [`super::parse_str`].
    pub file: String,
    pub location: Location,
    /// The key at fault; nested keys are dotted (`labels.route`). Boxed to keep load results
    /// small.
    pub key: Option<Box<str>>,
    pub kind: ErrorKind,
}

impl ScenarioError {
    pub(crate) fn new(file: &str, location: Location, key: Option<&str>, kind: ErrorKind) -> Self {
        ScenarioError {
            file: file.to_owned(),
            location,
            key: key.map(Box::from),
            kind,
        }
    }

    /// The 0-based index of the event at fault, if the error is in `events`.
    pub fn event_index(&self) -> Option<usize> {
        match self.location {
            Location::Event { index, .. } => Some(index),
            _ => None,
        }
    }

    /// The section path at fault (`""` for the top level), if the error is outside `events`.
    pub fn section(&self) -> Option<&str> {
        match &self.location {
            Location::Section(path) => Some(path),
            _ => None,
        }
    }

    pub fn key(&self) -> Option<&str> {
        self.key.as_deref()
    }

    fn describe(&self) -> String {
        let key = self.key.as_deref().unwrap_or("");
        // Errors about a whole event or section have no key to name.
        let at_key = if key.is_empty() {
            String::new()
        } else {
            format!("key \"{key}\": ")
        };
        let message = match &self.kind {
            ErrorKind::Io(reason) => format!("cannot read the scenario: {reason}"),
            ErrorKind::Syntax(reason) => format!("YAML syntax error: {reason}"),
            ErrorKind::UnknownKey { allowed } => {
                format!(
                    "unknown key \"{key}\" (expected one of: {})",
                    allowed.join(", ")
                )
            }
            ErrorKind::UnknownEventKind => format!(
                "unknown event kind \"{key}\" (expected one of: {})",
                EventKindName::ALL_NAMES.join(", ")
            ),
            ErrorKind::NoEventKind => format!(
                "no event kind (expected exactly one of: {})",
                EventKindName::ALL_NAMES.join(", ")
            ),
            ErrorKind::SeveralEventKinds { kinds } => format!(
                "{at_key}more than one event kind ({}); an event has exactly one",
                kinds.join(", ")
            ),
            ErrorKind::MissingKey => format!("missing required key \"{key}\""),
            ErrorKind::ConclusionRequired => {
                format!("missing required key \"{key}\" (required when state is completed)")
            }
            ErrorKind::WrongType { expected, found } => {
                format!("{at_key}expected {expected}, found {found}")
            }
            ErrorKind::BadValue { value, allowed } => {
                format!("{at_key}\"{value}\" is not one of: {}", allowed.join(", "))
            }
            ErrorKind::BadTime { value, reason } => {
                format!("{at_key}bad time \"{value}\": {reason}")
            }
            ErrorKind::OutOfOrder { at, previous } => format!(
                "{at_key}\"{at}\" comes before the previous event's \"{previous}\" \
                 (events must be listed in time order)"
            ),
            ErrorKind::UndeclaredService(name) => {
                format!("{at_key}undeclared service \"{name}\"")
            }
            ErrorKind::UndeclaredPerson(who) => format!(
                "{at_key}undeclared person \"{who}\" (use me or an email from me or people)"
            ),
            ErrorKind::UndeclaredContext(context) => {
                format!("{at_key}undeclared Kubernetes context \"{context}\"")
            }
            ErrorKind::UndeclaredNode { context, node } => {
                format!("{at_key}undeclared node \"{node}\" in context \"{context}\"")
            }
            ErrorKind::ResolvesNothing { name } => {
                format!("{at_key}resolving \"{name}\" matches no firing alert")
            }
            ErrorKind::NoKubernetes { service } => {
                format!("{at_key}service \"{service}\" has no kubernetes part")
            }
            ErrorKind::NoPagerDuty { service } => {
                format!("{at_key}service \"{service}\" has no pagerduty part")
            }
            ErrorKind::UnknownTimeZone(tz) => {
                format!("{at_key}unknown IANA time zone \"{tz}\"")
            }
            ErrorKind::UnsupportedVersion(version) => {
                format!("{at_key}unsupported version {version} (this opsdeck reads version 1)")
            }
            ErrorKind::Duplicate(value) => format!("{at_key}duplicate \"{value}\""),
            ErrorKind::Invalid(reason) => format!("{at_key}{reason}"),
        };
        match &self.location {
            Location::File => message,
            location => format!("{location}: {message}"),
        }
    }
}
