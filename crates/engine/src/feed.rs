//! The change feed: what the desktop shell forwards to the UI and tests wait on.

/// Something the cockpit's views should re-read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Entries inserted or changed (their ids).
    Entries { source: String, ids: Vec<String> },
    /// A source's health changed (a sync succeeded or failed).
    Health { source: String },
    /// A shift started or stopped, or its handoff was edited.
    Shifts,
}
