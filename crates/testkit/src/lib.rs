//! Real servers for tests: Debian's Alertmanager and Prometheus, each started on a free
//! loopback port with its own temporary directory, waited for through `/-/ready` with a
//! deadline, stoppable and restartable on the same port (for outage tests), and killed when
//! dropped. A server that fails to start says why with its own stderr; a missing binary says
//! to run `scripts/setup.sh`.
//!
//! ```no_run
//! let am = opsdeck_testkit::Alertmanager::start().expect("alertmanager starts");
//! let alerts = format!("{}/api/v2/alerts", am.url());
//! # let _ = alerts;
//! ```

mod alertmanager;
mod error;
mod prometheus;
mod server;

pub use alertmanager::{Alertmanager, DEFAULT_CONFIG as ALERTMANAGER_DEFAULT_CONFIG};
pub use error::TestkitError;
pub use prometheus::Prometheus;
pub use server::{Server, READY_DEADLINE};
