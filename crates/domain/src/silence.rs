//! A silence as opsdeck keeps it: enough to say what it hides, who set it and until when.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Silence {
    /// The configured source's name (an Alertmanager or a Grafana).
    pub source: String,
    pub id: String,
    /// The matchers as written: `alertname="X", service=~"a|b"`.
    pub matchers: String,
    pub comment: String,
    pub created_by: String,
    pub starts_at: DateTime<Utc>,
    /// When it expires, or when it was expired by hand.
    pub ends_at: DateTime<Utc>,
}

impl Silence {
    pub fn active_at(&self, at: DateTime<Utc>) -> bool {
        self.starts_at <= at && at < self.ends_at
    }
}
