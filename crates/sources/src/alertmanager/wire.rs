//! What Alertmanager's API v2 sends, as far as opsdeck reads it.
//!
//! Two generations must decode: the spec in `shared/specs` (v0.34), and what older servers
//! still in service send — Debian 12's 0.25 has no `status.mutedBy` and no silence
//! `annotations`, both of which the current spec requires. So those two default to empty,
//! every field the spec marks required that opsdeck needs stays required, and unknown fields
//! are ignored. A state outside the spec's enum is kept as sent rather than failing the poll:
//! a newer server's extra state must not hide every alert.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;

/// Label names to values (also annotations). Ordered, so hashes and details are stable.
pub type LabelSet = BTreeMap<String, String>;

/// One alert of `GET /api/v2/alerts` (the spec's `gettableAlert`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    pub labels: LabelSet,
    pub annotations: LabelSet,
    pub receivers: Vec<Receiver>,
    pub fingerprint: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    #[serde(rename = "generatorURL", default)]
    pub generator_url: Option<String>,
    pub status: AlertStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Receiver {
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertStatus {
    /// `active`, `suppressed` (silenced, inhibited or muted) or `unprocessed`.
    pub state: String,
    pub silenced_by: Vec<String>,
    pub inhibited_by: Vec<String>,
    /// Required by the v0.34 spec (the time intervals muting the alert); absent before 0.27.
    #[serde(default)]
    pub muted_by: Vec<String>,
}

/// One silence of `GET /api/v2/silences` or `GET /api/v2/silence/{id}` (`gettableSilence`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Silence {
    pub id: String,
    pub status: SilenceStatus,
    pub matchers: Vec<WireMatcher>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub created_by: String,
    pub comment: String,
    /// Required by the v0.34 spec; 0.25 has no silence annotations.
    #[serde(default)]
    pub annotations: LabelSet,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SilenceStatus {
    /// `active`, `pending` or `expired`.
    pub state: String,
}

impl Silence {
    pub fn is_expired(&self) -> bool {
        self.status.state == "expired"
    }

    /// The silence as opsdeck keeps it; `source` is the configured source's name.
    pub fn to_domain(&self, source: &str) -> opsdeck_domain::Silence {
        let matchers: Vec<String> = self
            .matchers
            .iter()
            .map(|m| {
                let op = match (m.is_equal, m.is_regex) {
                    (true, false) => "=",
                    (false, false) => "!=",
                    (true, true) => "=~",
                    (false, true) => "!~",
                };
                format!("{}{op}{:?}", m.name, m.value)
            })
            .collect();
        opsdeck_domain::Silence {
            source: source.to_string(),
            id: self.id.clone(),
            matchers: matchers.join(", "),
            comment: self.comment.clone(),
            created_by: self.created_by.clone(),
            starts_at: self.starts_at,
            ends_at: self.ends_at,
        }
    }
}

/// A silence's matcher as Alertmanager sends and takes it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireMatcher {
    pub name: String,
    pub value: String,
    pub is_regex: bool,
    /// The spec's default: an equality (or regex match) unless it says otherwise.
    #[serde(default = "yes")]
    pub is_equal: bool,
}

fn yes() -> bool {
    true
}

/// `POST /api/v2/silences`'s answer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PostedSilence {
    #[serde(rename = "silenceID")]
    pub silence_id: String,
}
