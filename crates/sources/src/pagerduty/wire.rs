//! What PagerDuty sends, as far as opsdeck reads it. Decoding is lenient about what it does not
//! use (unknown fields, absent optional objects) and strict about what it does (ids, times,
//! statuses), so a change at PagerDuty that matters fails loudly and one that does not, passes.

use chrono::{DateTime, Utc};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct Reference {
    pub id: String,
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub html_url: Option<String>,
    /// Present on full objects (e.g. `include[]=users`), absent on references.
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentStatus {
    Triggered,
    Acknowledged,
    Resolved,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    High,
    Low,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Assignment {
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
    pub assignee: Reference,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Acknowledgement {
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
    pub acknowledger: Reference,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Incident {
    pub id: String,
    #[serde(default)]
    pub incident_number: Option<u64>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub summary: Option<String>,
    pub created_at: DateTime<Utc>,
    pub status: IncidentStatus,
    #[serde(default)]
    pub urgency: Option<Urgency>,
    #[serde(default)]
    pub html_url: Option<String>,
    pub service: Reference,
    #[serde(default)]
    pub escalation_policy: Option<Reference>,
    #[serde(default)]
    pub assignments: Vec<Assignment>,
    #[serde(default)]
    pub acknowledgements: Vec<Acknowledgement>,
    #[serde(default)]
    pub last_status_change_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub last_status_change_by: Option<Reference>,
    #[serde(default)]
    pub resolved_at: Option<DateTime<Utc>>,
}

impl Incident {
    pub fn display_title(&self) -> String {
        self.title
            .clone()
            .or_else(|| self.summary.clone())
            .unwrap_or_else(|| format!("Incident {}", self.id))
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct LogEntry {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub summary: Option<String>,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub agent: Option<Reference>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub channel: Option<serde_json::Value>,
}

// The lists below carry PagerDuty's pagination envelope ("classic" offset pagination:
// `limit`, `offset`, `more`, `total`) as their own fields rather than through a
// `#[serde(flatten)]`ed struct: flattening buffers the body and loses the path of a decoding
// error (a wrongly typed `limit` read as "at ." instead of "at limit").

#[derive(Debug, Clone, Deserialize)]
pub struct IncidentList {
    pub incidents: Vec<Incident>,
    #[serde(default)]
    pub limit: Option<u64>,
    #[serde(default)]
    pub offset: Option<u64>,
    #[serde(default)]
    pub more: Option<bool>,
    #[serde(default)]
    pub total: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct IncidentBody {
    pub incident: Incident,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LogEntryList {
    pub log_entries: Vec<LogEntry>,
    #[serde(default)]
    pub limit: Option<u64>,
    #[serde(default)]
    pub offset: Option<u64>,
    #[serde(default)]
    pub more: Option<bool>,
    #[serde(default)]
    pub total: Option<u64>,
}

/// `GET /log_entries/{id}`: one log entry.
#[derive(Debug, Clone, Deserialize)]
pub struct LogEntryBody {
    pub log_entry: LogEntry,
}

#[derive(Debug, Clone, Deserialize)]
pub struct User {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    pub email: String,
    #[serde(default)]
    pub time_zone: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct UserBody {
    pub user: User,
}

#[derive(Debug, Clone, Deserialize)]
pub struct OnCall {
    pub user: Reference,
    #[serde(default)]
    pub schedule: Option<Reference>,
    #[serde(default)]
    pub escalation_policy: Option<Reference>,
    #[serde(default)]
    pub escalation_level: Option<u32>,
    #[serde(default)]
    pub start: Option<DateTime<Utc>>,
    #[serde(default)]
    pub end: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct OnCallList {
    pub oncalls: Vec<OnCall>,
    #[serde(default)]
    pub limit: Option<u64>,
    #[serde(default)]
    pub offset: Option<u64>,
    #[serde(default)]
    pub more: Option<bool>,
    #[serde(default)]
    pub total: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct UserList {
    pub users: Vec<User>,
    #[serde(default)]
    pub more: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Note {
    pub id: String,
    pub content: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct NoteBody {
    pub note: Note,
}
