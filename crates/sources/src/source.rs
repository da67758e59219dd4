use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use opsdeck_domain::{NewEntry, SourceKind};

use crate::SourceError;

/// What the engine tells a source about this poll. Time is passed in (the engine's clock, which
/// is the simulator's under `opsdeck sim`), never read by the source.
#[derive(Debug, Clone)]
pub struct PollContext {
    pub now: DateTime<Utc>,
    /// The cursor the previous successful poll returned, if any.
    pub cursor: Option<String>,
    /// How far back the first poll on an empty cache reaches.
    pub backfill: Duration,
}

#[derive(Debug, Clone, Default)]
pub struct PollOutput {
    pub entries: Vec<NewEntry>,
    /// Saved by the engine after the entries are stored, and handed to the next poll.
    pub cursor: Option<String>,
    /// The authenticated user's email, when the vendor tells (used for "assigned to me").
    pub me: Option<String>,
}

/// One configured vendor endpoint.
#[async_trait]
pub trait Source: Send + Sync {
    /// The configured name (unique among sources), used for health and cursors.
    fn name(&self) -> &str;
    fn kind(&self) -> SourceKind;
    async fn poll(&self, ctx: &PollContext) -> Result<PollOutput, SourceError>;
}
