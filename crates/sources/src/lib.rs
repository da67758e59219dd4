//! Vendor adapters. Each vendor is one module behind the [`Source`] trait, split into its wire
//! types (what the vendor sends) and their mapping onto opsdeck's timeline entries. Adding a
//! vendor touches its module and one registration line in the engine.

pub mod action;
pub mod alertmanager;
pub mod error;
pub mod github;
pub mod grafana;
pub mod http;
pub mod kubernetes;
pub mod pagerduty;
pub mod prometheus;
mod source;

pub use action::{ActionContext, ActionError};
pub use error::SourceError;
pub use http::Budget;
pub use source::{PollContext, PollOutput, Source};
