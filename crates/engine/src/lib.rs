//! The cockpit service every shell calls: configuration, the clock, the sync supervisor with its
//! change feed, and the notifier. Tauri-free; the desktop app and the `opsdeck` command are thin
//! shells over [`Cockpit`].

pub mod actions;
pub mod clock;
pub mod cockpit;
pub mod config;
pub mod feed;
mod history;
pub mod notifier;
pub mod paging;
pub mod paths;
pub mod registry;
pub mod release;
pub mod runbooks;
pub mod secrets;
pub mod shifts;
pub mod supervisor;
pub mod sync;
pub mod vitals;
pub mod workloads;

pub use actions::ActionFailure;
pub use clock::{Clock, ScaledClock, SystemClock};
pub use cockpit::{Cockpit, CockpitError, CockpitOptions, StepPlanError};
pub use config::{Config, ConfigError};
pub use feed::Change;
pub use notifier::{DesktopNotifier, Notifier, NotifyError};
pub use shifts::ShiftError;
