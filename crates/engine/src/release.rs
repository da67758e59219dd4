//! Silences tied to a PagerDuty incident (`until_resolved=INCIDENT` when silencing) end when
//! the incident resolves. The tie lives in the silence's comment; this looks at the silences
//! still in force, and expires each whose incident the cache holds as resolved — through the
//! action engine, so it is planned, confirmed, audited and on the timeline like any action,
//! with the reason in its parameters. Its creator asked for it when tying it.
//!
//! Read-only sources are left alone (their silences could not have been made by opsdeck), and a
//! silence whose expiry failed is not retried by this process: a vendor that keeps refusing
//! must not fill the timeline with failures.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use opsdeck_domain::{
    entry_id, ActionKind, ActionOutcome, ActionRequest, Protection, SourceKind, Status,
};

use crate::actions::{ActionFailure, Actions, SOURCE_PARAM};
use crate::registry::Configured;
use crate::sync::{lock, SyncDeps};

/// How often the supervisor looks for silences to release.
pub const RELEASE_TICK: Duration = Duration::from_secs(15);

/// What one release of one silence came to.
#[derive(Debug)]
pub struct Released {
    pub source: String,
    pub silence: String,
    pub incident: String,
    pub outcome: Result<ActionOutcome, ActionFailure>,
}

/// Everything releasing needs, owned, so the supervisor can run it on its own.
pub struct Releaser {
    pub(crate) deps: Arc<SyncDeps>,
    pub(crate) sources: Vec<Configured>,
    pub(crate) config_me: Option<String>,
    pub(crate) token_lifetime: Duration,
    /// Silences whose expiry failed in this process.
    failed: Mutex<HashSet<String>>,
}

impl Releaser {
    pub(crate) fn new(
        deps: Arc<SyncDeps>,
        sources: Vec<Configured>,
        config_me: Option<String>,
        token_lifetime: Duration,
    ) -> Releaser {
        Releaser {
            deps,
            sources,
            config_me,
            token_lifetime,
            failed: Mutex::new(HashSet::new()),
        }
    }

    /// Expires every tied silence whose incident has resolved; one result per silence tried.
    pub async fn release_resolved(&self) -> Vec<Released> {
        let mut out = Vec::new();
        for c in &self.sources {
            let expire = match c.source.kind() {
                SourceKind::Alertmanager => ActionKind::AlertmanagerExpireSilence,
                SourceKind::Grafana => ActionKind::GrafanaExpireSilence,
                _ => continue,
            };
            if c.config.protection == Protection::ReadOnly {
                continue;
            }
            let tied = match c.source.tied_silences().await {
                Ok(tied) => tied,
                Err(e) => {
                    tracing::warn!(source = c.source.name(), %e, "cannot list tied silences");
                    continue;
                }
            };
            for (silence, incident) in tied {
                if self.has_failed(&silence) || !self.resolved(&incident) {
                    continue;
                }
                let request = ActionRequest {
                    kind: expire,
                    target: silence.clone(),
                    params: BTreeMap::from([
                        (SOURCE_PARAM.to_string(), c.source.name().to_string()),
                        (
                            "reason".to_string(),
                            format!("PagerDuty incident {incident} resolved"),
                        ),
                    ]),
                };
                let outcome = self.carry_out(request).await;
                if outcome.is_err() {
                    self.failed
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .insert(silence.clone());
                }
                out.push(Released {
                    source: c.source.name().to_string(),
                    silence,
                    incident,
                    outcome,
                });
            }
        }
        out
    }

    fn has_failed(&self, silence: &str) -> bool {
        self.failed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(silence)
    }

    /// Whether the cache holds the incident as resolved.
    fn resolved(&self, incident: &str) -> bool {
        let id = entry_id(SourceKind::Pagerduty, incident);
        match lock(&self.deps.store).entry(&id) {
            Ok(entry) => entry.is_some_and(|e| e.status == Some(Status::Resolved)),
            Err(e) => {
                tracing::warn!(%e, incident, "cannot read the incident");
                false
            }
        }
    }

    async fn carry_out(&self, request: ActionRequest) -> Result<ActionOutcome, ActionFailure> {
        let me = crate::cockpit::me_from(self.config_me.as_deref(), &self.sources, &self.deps)
            .ok()
            .flatten();
        let actions = Actions {
            deps: &self.deps,
            sources: &self.sources,
            me,
            token_lifetime: self.token_lifetime,
        };
        let plan = actions.plan(request).await?;
        actions
            .confirm(&plan.token, plan.type_to_confirm.as_deref())
            .await
    }
}
