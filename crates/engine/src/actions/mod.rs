//! Two-phase actions. `plan` asks the source what the action would do and hands back a
//! single-use token that expires; `confirm` executes only with a valid, unexpired, unused
//! token, whatever the caller is (the UI, a forged IPC call, a script). Every plan,
//! confirmation, refusal, result and error is appended to the audit log, and each action is one
//! entry on the timeline.
//!
//! Tokens are random, shown once, and stored only as their SHA-256. Their lifetime runs on real
//! time, not the simulated clock, and they live in the store so that `opsdeck action plan` in
//! one process and `confirm` in another work together.

mod entry;

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use opsdeck_domain::{
    check_confirmation, ActionKind, ActionOutcome, ActionPlan, ActionRequest, ActionResult,
    AuditEvent, AuditRecord, Protection, Refusal, StoredPlan,
};
use opsdeck_sources::{ActionContext, ActionError, Source};
use opsdeck_store::NewPlan;
use rand::Rng;
use sha2::{Digest, Sha256};

use crate::feed::Change;
use crate::registry::Configured;
use crate::sync::{lock, sync_source, SyncDeps};

/// Why an action was not carried out.
#[derive(Debug, thiserror::Error)]
pub enum ActionFailure {
    #[error("no configured source can {kind}: add a [[sources]] entry of kind {}", kind.source())]
    NoSource { kind: ActionKind },
    #[error("source={name}: no source of kind {} is named {name:?} (there are: {known})", kind.source())]
    NoNamedSource {
        kind: ActionKind,
        name: String,
        known: String,
    },
    #[error("{kind}: no kubernetes source watches context {context:?} (configured contexts: {known}); a target starts with its context")]
    NoContext {
        kind: ActionKind,
        context: String,
        known: String,
    },
    #[error("{0}")]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Action(#[from] ActionError),
    #[error("the local cache failed: {0}")]
    Store(#[from] opsdeck_store::StoreError),
}

impl ActionFailure {
    /// The request was at fault (exit code 2) rather than the vendor or the machine.
    pub fn is_bad_input(&self) -> bool {
        match self {
            ActionFailure::NoSource { .. }
            | ActionFailure::NoNamedSource { .. }
            | ActionFailure::NoContext { .. }
            | ActionFailure::Refused(_) => true,
            ActionFailure::Action(e) => e.is_bad_input(),
            ActionFailure::Store(_) => false,
        }
    }
}

/// The parameter that names which configured source acts, where a vendor has several.
pub const SOURCE_PARAM: &str = "source";

/// What the action service needs from the cockpit.
pub(crate) struct Actions<'a> {
    pub deps: &'a Arc<SyncDeps>,
    pub sources: &'a [Configured],
    pub me: Option<String>,
    pub token_lifetime: Duration,
}

fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A random id for things opsdeck makes (runbook runs): 16 hex digits.
pub(crate) fn random_id() -> String {
    random_hex(8)
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill(buf.as_mut_slice());
    hex::encode(buf)
}

impl Actions<'_> {
    /// The source that carries out `request`: the one its `source=NAME` parameter names (for
    /// several Alertmanagers, say), else the first of its vendor.
    fn source_for(
        &self,
        request: &ActionRequest,
        name: Option<&str>,
    ) -> Result<&Configured, ActionFailure> {
        let mut of_kind = self
            .sources
            .iter()
            .filter(|c| c.source.kind() == request.kind.source());
        match name {
            // One Kubernetes source per context: the target's first part says which.
            None if request.kind.source() == opsdeck_domain::SourceKind::Kubernetes => {
                let context = request.target.trim().split('/').next().unwrap_or_default();
                let known: Vec<&str> = of_kind
                    .clone()
                    .filter_map(|c| c.config.context.as_deref())
                    .collect();
                of_kind
                    .find(|c| c.config.context.as_deref() == Some(context))
                    .ok_or_else(|| ActionFailure::NoContext {
                        kind: request.kind,
                        context: context.to_string(),
                        known: if known.is_empty() {
                            "none".into()
                        } else {
                            known.join(", ")
                        },
                    })
            }
            None => of_kind
                .next()
                .ok_or(ActionFailure::NoSource { kind: request.kind }),
            Some(name) => {
                let known: Vec<&str> = of_kind.clone().map(|c| c.source.name()).collect();
                of_kind.find(|c| c.source.name() == name).ok_or_else(|| {
                    ActionFailure::NoNamedSource {
                        kind: request.kind,
                        name: name.to_string(),
                        known: if known.is_empty() {
                            "none".into()
                        } else {
                            known.join(", ")
                        },
                    }
                })
            }
        }
    }

    fn context(&self) -> ActionContext {
        ActionContext {
            now: self.deps.clock.now(),
            me: self.me.clone(),
        }
    }

    fn record(
        &self,
        action_id: &str,
        event: AuditEvent,
        plan: Option<&StoredPlan>,
        request: Option<&ActionRequest>,
        source: Option<&str>,
        message: String,
    ) -> Result<(), ActionFailure> {
        let request = plan.map(|p| &p.request).or(request);
        let record = AuditRecord {
            seq: 0,
            action_id: action_id.to_string(),
            event,
            at: self.deps.clock.now(),
            real_at: Utc::now(),
            kind: request.map(|r| r.kind),
            source: plan
                .map(|p| p.source.clone())
                .or(source.map(str::to_string)),
            target: request.map(|r| r.target.clone()),
            actor: self.me.clone(),
            message,
        };
        let entry_id = {
            let mut store = lock(&self.deps.store);
            store.append_audit(&record)?;
            let records = store.audit_of(action_id)?;
            match entry::action_entry(action_id, plan, &records) {
                Some(e) => {
                    store.upsert_entries(std::slice::from_ref(&e))?;
                    Some(e.id())
                }
                None => None,
            }
        };
        if let Some(id) = entry_id {
            let _ = self.deps.feed.send(Change::Entries {
                source: "opsdeck".into(),
                ids: vec![id],
            });
        }
        Ok(())
    }

    pub(crate) async fn plan(
        &self,
        mut request: ActionRequest,
    ) -> Result<ActionPlan, ActionFailure> {
        let action_id = random_hex(8);
        // `source` is the engine's parameter, not the vendor's: the source never sees it.
        let named = request
            .params
            .remove(SOURCE_PARAM)
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty());
        let configured = match self.source_for(&request, named.as_deref()) {
            Ok(c) => c,
            Err(e) => {
                self.record(
                    &action_id,
                    AuditEvent::Refused,
                    None,
                    Some(&request),
                    None,
                    e.to_string(),
                )?;
                return Err(e);
            }
        };
        let source_name = configured.source.name().to_string();
        let protection = configured.config.protection.for_action(request.kind);
        if protection == Protection::ReadOnly {
            let refusal = Refusal::ReadOnly {
                source_name: source_name.clone(),
            };
            self.record(
                &action_id,
                AuditEvent::Refused,
                None,
                Some(&request),
                Some(&source_name),
                refusal.to_string(),
            )?;
            return Err(refusal.into());
        }
        let effect = match configured
            .source
            .plan_action(&request, &self.context())
            .await
        {
            Ok(effect) => effect,
            Err(e) => {
                let event = if e.is_bad_input() {
                    AuditEvent::Refused
                } else {
                    AuditEvent::Failed
                };
                self.record(
                    &action_id,
                    event,
                    None,
                    Some(&request),
                    Some(&source_name),
                    e.to_string(),
                )?;
                return Err(e.into());
            }
        };
        let token = format!("odk_{}", random_hex(24));
        let lifetime =
            chrono::Duration::from_std(self.token_lifetime).unwrap_or(chrono::Duration::minutes(2));
        let stored = StoredPlan {
            action_id: action_id.clone(),
            request,
            source: source_name.clone(),
            effect,
            protection,
            expires_at: Utc::now() + lifetime,
            used_at: None,
        };
        lock(&self.deps.store).insert_plan(&NewPlan {
            token_hash: &hash_token(&token),
            plan: &stored,
            planned_at: self.deps.clock.now(),
        })?;
        self.record(
            &action_id,
            AuditEvent::Planned,
            Some(&stored),
            None,
            None,
            stored.effect.summary.clone(),
        )?;
        Ok(ActionPlan {
            token,
            expires_at: stored.expires_at,
            summary: stored.effect.summary.clone(),
            target: stored.effect.target.clone(),
            environment: stored.effect.environment.clone(),
            risk: stored.effect.risk,
            undo: stored.effect.undo.clone(),
            type_to_confirm: (protection == Protection::TypeToConfirm)
                .then(|| stored.effect.target_name.clone()),
            action_id,
            kind: stored.request.kind,
            source: source_name,
            params: stored.request.params.clone(),
            details: stored.effect.details.clone(),
        })
    }

    pub(crate) async fn confirm(
        &self,
        token: &str,
        typed: Option<&str>,
    ) -> Result<ActionOutcome, ActionFailure> {
        let hash = hash_token(token.trim());
        let Some(plan) = lock(&self.deps.store).plan_by_token_hash(&hash)? else {
            let refusal = Refusal::UnknownToken;
            self.record(
                &random_hex(8),
                AuditEvent::Refused,
                None,
                None,
                None,
                refusal.to_string(),
            )?;
            return Err(refusal.into());
        };
        let configured = self.sources.iter().find(|c| c.source.name() == plan.source);
        // A source removed from the config since planning cannot act any more.
        let protection = configured.map_or(Protection::ReadOnly, |c| {
            c.config.protection.for_action(plan.request.kind)
        });
        let real_now = Utc::now();
        let checked = check_confirmation(&plan, protection, real_now, typed).and_then(|()| {
            match lock(&self.deps.store).use_token(&hash, real_now) {
                Ok(true) => Ok(Ok(())),
                // Another confirmation got there first, a moment ago.
                Ok(false) => Err(Refusal::Used { used_at: real_now }),
                Err(e) => Ok(Err(e)),
            }
        });
        let configured = match (checked, configured) {
            (Ok(Ok(())), Some(c)) => c,
            (Ok(Err(store)), _) => return Err(store.into()),
            (Err(refusal), _) => {
                self.record(
                    &plan.action_id,
                    AuditEvent::Refused,
                    Some(&plan),
                    None,
                    None,
                    refusal.to_string(),
                )?;
                return Err(refusal.into());
            }
            (Ok(Ok(())), None) => {
                let refusal = Refusal::ReadOnly {
                    source_name: plan.source.clone(),
                };
                self.record(
                    &plan.action_id,
                    AuditEvent::Refused,
                    Some(&plan),
                    None,
                    None,
                    refusal.to_string(),
                )?;
                return Err(refusal.into());
            }
        };
        self.record(
            &plan.action_id,
            AuditEvent::Confirmed,
            Some(&plan),
            None,
            None,
            match typed {
                Some(name)
                    if protection == Protection::TypeToConfirm
                        || plan.protection == Protection::TypeToConfirm =>
                {
                    format!("confirmed by typing {name}")
                }
                _ => "confirmed".to_string(),
            },
        )?;
        let executed = configured
            .source
            .execute_action(&plan.request, &self.context())
            .await;
        let (event, result, message) = match executed {
            Ok(message) => (AuditEvent::Succeeded, ActionResult::Succeeded, message),
            Err(e) => (AuditEvent::Failed, ActionResult::Failed, e.to_string()),
        };
        self.record(
            &plan.action_id,
            event,
            Some(&plan),
            None,
            None,
            message.clone(),
        )?;
        self.note_on_step(&plan.action_id, result == ActionResult::Succeeded, &message);
        if result == ActionResult::Succeeded {
            self.resync(configured).await;
        }
        Ok(ActionOutcome {
            action_id: plan.action_id.clone(),
            kind: plan.request.kind,
            target: plan.request.target.clone(),
            result,
            message,
            finished_at: self.deps.clock.now(),
        })
    }

    /// An action planned from a runbook step writes its outcome to that step (and the step's
    /// timeline entry). A failure to do so is logged: the action itself is done and audited.
    fn note_on_step(&self, action_id: &str, ok: bool, message: &str) {
        let mut store = lock(&self.deps.store);
        let step = match store.step_of_action(action_id) {
            Ok(Some(step)) => step,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(%e, action_id, "cannot look up the action's runbook step");
                return;
            }
        };
        let (run_id, index) = step;
        let event = opsdeck_domain::RunEvent {
            kind: opsdeck_domain::RunEventKind::Action,
            step: Some(index),
            text: Some(message.to_string()),
            action_id: Some(action_id.to_string()),
            ok: Some(ok),
            at: self.deps.clock.now(),
            by: self.me.clone(),
        };
        match crate::runbooks::record_and_enter(&mut store, &run_id, &event, None) {
            Ok((_, id)) => {
                let _ = self.deps.feed.send(Change::Entries {
                    source: "opsdeck".into(),
                    ids: vec![id],
                });
            }
            Err(e) => {
                tracing::warn!(%e, action_id, run_id, "cannot write the outcome to its runbook step")
            }
        }
    }

    /// Withdraws a plan before it is confirmed (the dialog's Cancel): its token is spent and
    /// the timeline says it was cancelled. A used or unknown token changes nothing.
    pub(crate) fn cancel(&self, token: &str) -> Result<(), ActionFailure> {
        let hash = hash_token(token.trim());
        let Some(plan) = lock(&self.deps.store).plan_by_token_hash(&hash)? else {
            return Err(Refusal::UnknownToken.into());
        };
        if !lock(&self.deps.store).use_token(&hash, Utc::now())? {
            return Ok(());
        }
        self.record(
            &plan.action_id,
            AuditEvent::Cancelled,
            Some(&plan),
            None,
            None,
            "cancelled before confirming".to_string(),
        )
    }

    /// Pulls the source again so the action's outcome (the incident's new log entry) is on the
    /// timeline now rather than at the next scheduled poll.
    async fn resync(&self, configured: &Configured) {
        let source: &dyn Source = configured.source.as_ref();
        if let Err(e) = sync_source(self.deps, source, configured.config.backfill).await {
            tracing::warn!(source = source.name(), %e, "sync after an action failed");
        }
    }
}
