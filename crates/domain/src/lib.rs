//! opsdeck's nouns and pure rules.
//!
//! Everything here is plain data and functions of their inputs: no I/O, and no reading of the
//! clock — "now" is always passed in, so the same code runs on the system clock and on the
//! simulator's.

mod app;
mod bindings;
mod day;
mod entry;
mod error;
mod health;
mod labels;
mod notify;

pub use app::{AppMode, AppStatus};
pub use bindings::typescript_bindings;
pub use day::{local_date_of, local_day_bounds};
pub use entry::{entry_id, NewEntry, TimelineEntry, ENTRY_ID_LEN};
pub use error::UnknownName;
pub use health::{health_state, HealthRecord, HealthState, SourceHealth};
pub use labels::{EntryKind, Severity, SourceKind, Status};
pub use notify::{page_notification, Notification, NotifyUrgency, PageFacts, Urgency};
