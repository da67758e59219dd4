//! The morning read: one screen of what happened since I last looked and what needs me now.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::handoff::OpenItem;
use crate::health::SourceHealth;
use crate::shift::Shift;
use crate::TimelineEntry;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct MorningRead {
    pub now: DateTime<Utc>,
    /// When I last marked it read; the read covers what happened since (the last 12 hours the
    /// first time).
    pub since: DateTime<Utc>,
    pub looked_before: bool,
    /// Pages triggered since, oldest first.
    pub paged: Vec<TimelineEntry>,
    /// Pages still triggered or acknowledged, whenever they started.
    pub open_pages: Vec<TimelineEntry>,
    /// Alerts firing now, most severe first.
    pub firing: Vec<TimelineEntry>,
    pub ci_failures: Vec<OpenItem>,
    pub unhealthy: Vec<OpenItem>,
    /// Every configured source with how fresh its data is.
    pub sources: Vec<SourceHealth>,
    /// My current shift, else the last one.
    pub shift: Option<Shift>,
    /// Whether the shift ends within the hour: time to write the handoff.
    pub handoff_due: bool,
}
