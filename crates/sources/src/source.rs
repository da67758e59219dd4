use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use opsdeck_domain::{ActionRequest, Effect, NewEntry, OnCallShift, Silence, SourceKind};

use crate::action::{ActionContext, ActionError};
use crate::http::Budget;
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
    /// Who is on call from now on, when this poll fetched it (sources refresh it less often
    /// than they poll); `None` keeps what was stored.
    pub oncall: Option<Vec<OnCallShift>>,
    /// Every silence the vendor listed this poll, expired ones included; `None` for sources
    /// without silences.
    pub silences: Option<Vec<Silence>>,
}

/// One configured vendor endpoint.
#[async_trait]
pub trait Source: Send + Sync {
    /// The configured name (unique among sources), used for health and cursors.
    fn name(&self) -> &str;
    fn kind(&self) -> SourceKind;
    async fn poll(&self, ctx: &PollContext) -> Result<PollOutput, SourceError>;

    /// The quick poll for what matters most, new pages: one cheap request, run far more often
    /// than [`Source::poll`]. It returns only what the stored cursor does not know yet, in
    /// full (the same entries the full poll would give, so the engine can notify at once), and
    /// never a cursor: the full poll stays the one that advances it. `Ok(None)`: this source
    /// has no quick poll.
    async fn poll_new(&self, _ctx: &PollContext) -> Result<Option<PollOutput>, SourceError> {
        Ok(None)
    }

    /// Signalled when the source has news before its next poll is due (a watch stream saw a
    /// change): the engine polls at once. `None` for sources that only learn by polling.
    fn changed(&self) -> Option<std::sync::Arc<tokio::sync::Notify>> {
        None
    }

    /// What the source has spent of its request budget and what the vendor says is left;
    /// `None` for a source that does not count.
    fn budget(&self) -> Option<Budget> {
        None
    }

    /// Reads what the action would change at the vendor and describes it, or refuses a request
    /// that cannot be carried out. Changes nothing.
    async fn plan_action(
        &self,
        request: &ActionRequest,
        _ctx: &ActionContext,
    ) -> Result<Effect, ActionError> {
        Err(ActionError::Unsupported {
            source_name: self.name().to_string(),
            kind: request.kind,
        })
    }

    /// Carries out a confirmed action; returns the vendor's answer in words. Called only by the
    /// engine, after it has checked the confirmation.
    async fn execute_action(
        &self,
        request: &ActionRequest,
        _ctx: &ActionContext,
    ) -> Result<String, ActionError> {
        Err(ActionError::Unsupported {
            source_name: self.name().to_string(),
            kind: request.kind,
        })
    }

    /// The silences this source holds that are tied to a PagerDuty incident (silence id,
    /// incident id), for the engine to expire once the incident resolves. Only sources with
    /// silences have any.
    async fn tied_silences(&self) -> Result<Vec<(String, String)>, SourceError> {
        Ok(Vec::new())
    }
}
