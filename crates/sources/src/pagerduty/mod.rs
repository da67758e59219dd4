//! PagerDuty REST API v2: incidents and their log entries onto the timeline.

mod actions;
mod map;
mod oncall;
mod source;
pub mod wire;

pub use map::{incident_entry, SERVICE_MAPPING_NONE};
pub use source::{PagerDutyConfig, PagerDutySource};
