//! What the desktop window needs before it can draw: which screen, whose clock, which day.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// `first_run`: no config yet, offer the demo; `demo`: a simulated day (banner shown);
/// `live`: real sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AppMode {
    FirstRun,
    Demo,
    Live,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AppStatus {
    pub mode: AppMode,
    /// IANA zone "Today" is in (the scenario's under the simulator).
    pub tz: String,
    pub today: NaiveDate,
    /// The cockpit's now (the simulator's clock in a demo).
    pub now: DateTime<Utc>,
    /// Who I am (email), when known.
    pub me: Option<String>,
    /// Where the config is (or would be, on first run).
    pub config_path: Option<String>,
}
