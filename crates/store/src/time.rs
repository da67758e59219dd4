//! Instants are stored as Unix milliseconds: integers compare and index cheaply, and
//! millisecond precision is finer than any vendor timestamp opsdeck shows.

use chrono::{DateTime, Utc};

use crate::error::{Result, StoreError};

pub(crate) fn to_millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

pub(crate) fn from_millis(
    ms: i64,
    table: &'static str,
    key: &str,
    column: &'static str,
) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms).ok_or_else(|| StoreError::CorruptValue {
        table,
        key: key.to_owned(),
        column,
        value: ms.to_string(),
    })
}

pub(crate) fn from_millis_opt(
    ms: Option<i64>,
    table: &'static str,
    key: &str,
    column: &'static str,
) -> Result<Option<DateTime<Utc>>> {
    ms.map(|ms| from_millis(ms, table, key, column)).transpose()
}
