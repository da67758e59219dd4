//! Actions are two-phase: a plan says exactly what will happen and carries a single-use token;
//! only a confirmation with that token executes it. These are the nouns of that exchange and
//! the pure rules that decide whether a confirmation may go ahead. The engine does the I/O.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::UnknownName;
use crate::labels::SourceKind;

macro_rules! action_kinds {
    ($( $variant:ident => $wire:literal, $source:ident, )+) => {
        /// `<source>.<verb>`, as `opsdeck action plan KIND` takes it (DESIGN "The `opsdeck`
        /// command"). Every kind the design names is listed; a source that does not support one
        /// yet refuses it when planning.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
        pub enum ActionKind {
            $( #[serde(rename = $wire)] $variant, )+
        }

        impl ActionKind {
            pub const ALL: &'static [ActionKind] = &[$(ActionKind::$variant),+];

            pub const fn as_str(self) -> &'static str {
                match self {
                    $( ActionKind::$variant => $wire, )+
                }
            }

            /// The kind of source that carries this action out.
            pub const fn source(self) -> SourceKind {
                match self {
                    $( ActionKind::$variant => SourceKind::$source, )+
                }
            }
        }

        impl FromStr for ActionKind {
            type Err = UnknownName;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $( $wire => Ok(ActionKind::$variant), )+
                    _ => Err(UnknownName {
                        what: "action kind",
                        value: s.to_owned(),
                        expected: [$($wire),+].join(", "),
                    }),
                }
            }
        }
    };
}

action_kinds! {
    PagerdutyAcknowledge => "pagerduty.acknowledge", Pagerduty,
    PagerdutyResolve => "pagerduty.resolve", Pagerduty,
    PagerdutyReassign => "pagerduty.reassign", Pagerduty,
    PagerdutySnooze => "pagerduty.snooze", Pagerduty,
    PagerdutyNote => "pagerduty.note", Pagerduty,
    AlertmanagerSilence => "alertmanager.silence", Alertmanager,
    AlertmanagerExpireSilence => "alertmanager.expire_silence", Alertmanager,
    GrafanaSilence => "grafana.silence", Grafana,
    GrafanaExpireSilence => "grafana.expire_silence", Grafana,
    KubernetesScale => "kubernetes.scale", Kubernetes,
    KubernetesRestart => "kubernetes.restart", Kubernetes,
    KubernetesRollback => "kubernetes.rollback", Kubernetes,
    KubernetesCordon => "kubernetes.cordon", Kubernetes,
    KubernetesUncordon => "kubernetes.uncordon", Kubernetes,
    GithubRerunFailed => "github.rerun_failed", Github,
    GithubRerun => "github.rerun", Github,
    GithubCancel => "github.cancel", Github,
    GithubApproveDeployment => "github.approve_deployment", Github,
}

impl fmt::Display for ActionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How careful a source's actions must be, from its `protection` setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum Protection {
    /// Every action is refused.
    ReadOnly,
    /// A plan and its confirmation.
    #[default]
    Confirm,
    /// ... and the confirmation must carry the target's name, typed by the user.
    TypeToConfirm,
}

impl Protection {
    /// The protection an action of `kind` gets from a source set to `self`: approving a
    /// deployment that waits for a reviewer always needs the name typed (it lets code reach
    /// an environment someone chose to guard), whatever the source's level; read-only stays
    /// read-only.
    pub fn for_action(self, kind: ActionKind) -> Protection {
        match (self, kind) {
            (Protection::Confirm, ActionKind::GithubApproveDeployment) => Protection::TypeToConfirm,
            (p, _) => p,
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Protection::ReadOnly => "read-only",
            Protection::Confirm => "confirm",
            Protection::TypeToConfirm => "type-to-confirm",
        }
    }
}

/// What the user asked for: a kind, its target and parameters (`key=value` on the command
/// line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ActionRequest {
    pub kind: ActionKind,
    pub target: String,
    pub params: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Risk {
    /// Changes bookkeeping only (a note, an acknowledgement).
    Low,
    /// Changes who is paged or what runs, and can be undone.
    Medium,
    /// Hard to undo, or changes production.
    High,
}

/// What a source says an action will do, before any token exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Effect {
    /// One sentence: "Acknowledge incident Q0PAY0001 …".
    pub summary: String,
    /// The target as shown to the user.
    pub target: String,
    /// What must be typed under `type-to-confirm`: the target's own name.
    pub target_name: String,
    /// Where: the vendor account, cluster context and namespace, repository.
    pub environment: String,
    /// The opsdeck service the target belongs to, for the timeline.
    pub service: Option<String>,
    pub risk: Risk,
    /// How to take it back, if it can be.
    pub undo: Option<String>,
    /// Further facts worth reading before confirming, one per line.
    pub details: Vec<String>,
}

/// A plan as the shells receive it: everything the confirmation dialog states, and the token
/// that executes exactly this.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ActionPlan {
    pub token: String,
    /// When the token stops working (real time, not the simulated clock).
    pub expires_at: DateTime<Utc>,
    pub summary: String,
    pub target: String,
    pub environment: String,
    pub risk: Risk,
    pub undo: Option<String>,
    /// The name to type to confirm, or null.
    pub type_to_confirm: Option<String>,
    /// opsdeck's id for this action (its timeline entry's external id).
    pub action_id: String,
    pub kind: ActionKind,
    /// The configured source that will carry it out.
    pub source: String,
    pub params: BTreeMap<String, String>,
    pub details: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ActionResult {
    Succeeded,
    Failed,
}

/// What a confirmed action did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ActionOutcome {
    pub action_id: String,
    pub kind: ActionKind,
    pub target: String,
    pub result: ActionResult,
    /// The vendor's answer, or why it failed.
    pub message: String,
    pub finished_at: DateTime<Utc>,
}

/// One line of the audit log. The log is append-only: an action's history is the sequence of
/// its records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AuditEvent {
    Planned,
    Confirmed,
    Refused,
    /// Withdrawn by the user before confirming (the dialog's Cancel); the token is spent.
    Cancelled,
    Succeeded,
    Failed,
}

impl AuditEvent {
    pub const fn as_str(self) -> &'static str {
        match self {
            AuditEvent::Planned => "planned",
            AuditEvent::Confirmed => "confirmed",
            AuditEvent::Refused => "refused",
            AuditEvent::Cancelled => "cancelled",
            AuditEvent::Succeeded => "succeeded",
            AuditEvent::Failed => "failed",
        }
    }
}

impl FromStr for AuditEvent {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [
            AuditEvent::Planned,
            AuditEvent::Confirmed,
            AuditEvent::Refused,
            AuditEvent::Cancelled,
            AuditEvent::Succeeded,
            AuditEvent::Failed,
        ]
        .into_iter()
        .find(|e| e.as_str() == s)
        .ok_or_else(|| UnknownName {
            what: "audit event",
            value: s.to_owned(),
            expected: "planned, confirmed, refused, cancelled, succeeded, failed".into(),
        })
    }
}

/// One appended line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// Order of appending; 0 for a record not yet stored.
    pub seq: i64,
    pub action_id: String,
    pub event: AuditEvent,
    /// Data time (the engine's clock, the simulator's under `opsdeck sim`).
    pub at: DateTime<Utc>,
    /// Real time, which token lifetimes run on.
    pub real_at: DateTime<Utc>,
    /// Unknown when a forged or stale token names no plan.
    pub kind: Option<ActionKind>,
    pub source: Option<String>,
    pub target: Option<String>,
    /// Who acted, when known (my email).
    pub actor: Option<String>,
    /// What happened, in words: the plan's summary, the refusal, the vendor's answer.
    pub message: String,
}

/// A stored plan, as the confirmation step reads it back (the token itself is never stored,
/// only its hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPlan {
    pub action_id: String,
    pub request: ActionRequest,
    pub source: String,
    pub effect: Effect,
    pub protection: Protection,
    /// Real time.
    pub expires_at: DateTime<Utc>,
    /// Real time of the confirmation that used the token, if one did.
    pub used_at: Option<DateTime<Utc>>,
}

/// Why a confirmation (or a plan) is refused. Each says what to do instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("unknown confirmation token: plan the action again (`opsdeck action plan …`)")]
    UnknownToken,
    #[error("the confirmation token expired at {expired_at}: plan the action again")]
    Expired { expired_at: DateTime<Utc> },
    #[error("the confirmation token was already used at {used_at}: plan the action again")]
    Used { used_at: DateTime<Utc> },
    #[error("source {source_name} is read-only (protection = \"read-only\" in the config): opsdeck takes no actions on it")]
    ReadOnly { source_name: String },
    #[error("this action needs the target's name typed to confirm: type `{expected}`")]
    TypeToConfirm { expected: String },
}

/// Whether `plan` may be executed now with `typed` as the name the user typed. `protection` is
/// the source's protection as configured now: a source made read-only after planning refuses,
/// and type-to-confirm applies if either the plan or the current setting asks for it.
pub fn check_confirmation(
    plan: &StoredPlan,
    protection: Protection,
    real_now: DateTime<Utc>,
    typed: Option<&str>,
) -> Result<(), Refusal> {
    if let Some(used_at) = plan.used_at {
        return Err(Refusal::Used { used_at });
    }
    if real_now >= plan.expires_at {
        return Err(Refusal::Expired {
            expired_at: plan.expires_at,
        });
    }
    if protection == Protection::ReadOnly || plan.protection == Protection::ReadOnly {
        return Err(Refusal::ReadOnly {
            source_name: plan.source.clone(),
        });
    }
    let must_type =
        protection == Protection::TypeToConfirm || plan.protection == Protection::TypeToConfirm;
    if must_type && typed.map(str::trim) != Some(plan.effect.target_name.as_str()) {
        return Err(Refusal::TypeToConfirm {
            expected: plan.effect.target_name.clone(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn approving_a_deployment_always_needs_the_name_typed() {
        use ActionKind::*;
        assert_eq!(
            Protection::Confirm.for_action(GithubApproveDeployment),
            Protection::TypeToConfirm
        );
        assert_eq!(
            Protection::ReadOnly.for_action(GithubApproveDeployment),
            Protection::ReadOnly
        );
        assert_eq!(
            Protection::Confirm.for_action(GithubRerun),
            Protection::Confirm
        );
        assert_eq!(
            Protection::TypeToConfirm.for_action(KubernetesScale),
            Protection::TypeToConfirm
        );
    }

    fn at(s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 4, 6, 0, s).unwrap()
    }

    fn plan(protection: Protection, used_at: Option<DateTime<Utc>>) -> StoredPlan {
        StoredPlan {
            action_id: "a1".into(),
            request: ActionRequest {
                kind: ActionKind::PagerdutyAcknowledge,
                target: "Q0PAY0001".into(),
                params: BTreeMap::new(),
            },
            source: "pagerduty".into(),
            effect: Effect {
                summary: "Acknowledge".into(),
                target: "Q0PAY0001 API slow".into(),
                target_name: "Q0PAY0001".into(),
                environment: "PagerDuty".into(),
                service: None,
                risk: Risk::Low,
                undo: None,
                details: vec![],
            },
            protection,
            expires_at: at(30),
            used_at,
        }
    }

    #[test]
    fn confirmation_rules() {
        use Protection::*;
        let expected = || Refusal::TypeToConfirm {
            expected: "Q0PAY0001".into(),
        };
        type Case<'a> = (
            &'a str,
            StoredPlan,
            Protection,
            u32,
            Option<&'a str>,
            Result<(), Refusal>,
        );
        let cases: Vec<Case> = vec![
            (
                "fresh token",
                plan(Confirm, None),
                Confirm,
                10,
                None,
                Ok(()),
            ),
            (
                "typed name not needed but given",
                plan(Confirm, None),
                Confirm,
                10,
                Some("x"),
                Ok(()),
            ),
            (
                "used",
                plan(Confirm, Some(at(5))),
                Confirm,
                10,
                None,
                Err(Refusal::Used { used_at: at(5) }),
            ),
            (
                "expired at the instant",
                plan(Confirm, None),
                Confirm,
                30,
                None,
                Err(Refusal::Expired { expired_at: at(30) }),
            ),
            (
                "made read-only after planning",
                plan(Confirm, None),
                ReadOnly,
                10,
                None,
                Err(Refusal::ReadOnly {
                    source_name: "pagerduty".into(),
                }),
            ),
            (
                "type-to-confirm, nothing typed",
                plan(TypeToConfirm, None),
                TypeToConfirm,
                10,
                None,
                Err(expected()),
            ),
            (
                "type-to-confirm, wrong name",
                plan(TypeToConfirm, None),
                TypeToConfirm,
                10,
                Some("Q0PAY0002"),
                Err(expected()),
            ),
            (
                "type-to-confirm, right name",
                plan(TypeToConfirm, None),
                TypeToConfirm,
                10,
                Some("Q0PAY0001"),
                Ok(()),
            ),
            (
                "type-to-confirm, surrounding blanks",
                plan(TypeToConfirm, None),
                TypeToConfirm,
                10,
                Some(" Q0PAY0001 "),
                Ok(()),
            ),
            (
                "raised to type-to-confirm after planning",
                plan(Confirm, None),
                TypeToConfirm,
                10,
                None,
                Err(expected()),
            ),
            (
                "lowered after planning still asks",
                plan(TypeToConfirm, None),
                Confirm,
                10,
                None,
                Err(expected()),
            ),
            (
                "used beats expired",
                plan(Confirm, Some(at(5))),
                Confirm,
                40,
                None,
                Err(Refusal::Used { used_at: at(5) }),
            ),
        ];
        for (name, p, protection, now, typed, want) in cases {
            assert_eq!(
                check_confirmation(&p, protection, at(now), typed),
                want,
                "{name}"
            );
        }
    }

    #[test]
    fn kinds_parse_and_name_their_source() {
        for &kind in ActionKind::ALL {
            assert_eq!(kind.as_str().parse::<ActionKind>().unwrap(), kind);
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::json!(kind.as_str())
            );
            assert!(kind.as_str().starts_with(kind.source().as_str()));
        }
        let err = "pagerduty.ack".parse::<ActionKind>().unwrap_err();
        assert!(err.to_string().contains("pagerduty.acknowledge"), "{err}");
    }

    #[test]
    fn protection_wire_names() {
        for (p, wire) in [
            (Protection::ReadOnly, "read-only"),
            (Protection::Confirm, "confirm"),
            (Protection::TypeToConfirm, "type-to-confirm"),
        ] {
            assert_eq!(serde_json::to_value(p).unwrap(), serde_json::json!(wire));
            assert_eq!(p.as_str(), wire);
        }
    }

    #[test]
    fn refusals_say_what_to_do() {
        assert!(Refusal::UnknownToken
            .to_string()
            .contains("plan the action again"));
        let r = Refusal::ReadOnly {
            source_name: "pd".into(),
        };
        assert!(r.to_string().contains("read-only"), "{r}");
    }
}
