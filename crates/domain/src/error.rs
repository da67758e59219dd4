use thiserror::Error;

/// A name that is not one of an enum's wire names (from a config file, a CLI argument or a
/// database column).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown {what} {value:?} (expected one of: {expected})")]
pub struct UnknownName {
    /// Which vocabulary was being parsed, e.g. "source kind".
    pub what: &'static str,
    pub value: String,
    /// The accepted names, comma-separated, so the message says what to write instead.
    pub expected: String,
}
