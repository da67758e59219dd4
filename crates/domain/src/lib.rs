//! opsdeck's nouns and pure rules.
//!
//! Everything here is plain data and functions of their inputs: no I/O, and no reading of the
//! clock — "now" is always passed in, so the same code runs on the system clock and on the
//! simulator's.

mod action;
mod app;
mod bindings;
mod day;
mod entry;
mod error;
mod handoff;
mod health;
mod labels;
mod markdown;
pub mod matchers;
mod morning;
mod notify;
mod oncall;
mod postmortem;
mod runbook_run;
mod runbook_view;
mod search;
mod shift;
mod silence;
mod suspects;
mod vitals;
mod workload;

pub use action::{
    check_confirmation, ActionKind, ActionOutcome, ActionPlan, ActionRequest, ActionResult,
    AuditEvent, AuditRecord, Effect, Protection, Refusal, Risk, StoredPlan,
};
pub use app::{AppMode, AppStatus};
pub use bindings::typescript_bindings;
pub use day::{local_date_of, local_day_bounds};
pub use entry::{entry_id, EntryLink, NewEntry, TimelineEntry, ENTRY_ID_LEN};
pub use error::UnknownName;
pub use handoff::{
    build_handoff, ci_failures, median, unhealthy, AlertFigures, HandoffAction, HandoffNote,
    HandoffPage, HandoffReport, HandoffRun, HandoffShift, NoisyAlert, OpenItem, OpenItemKind,
    ShiftFacts, ShiftFigures, NOISIEST_LISTED,
};
pub use health::{health_state, HealthRecord, HealthState, RequestBudget, SourceHealth};
pub use labels::{EntryKind, Severity, SourceKind, Status};
pub use markdown::{duration_words, handoff_markdown, local_time, md_inline};
pub use morning::MorningRead;
pub use notify::{
    first_key, notifications_due, self_alarm, Decision, LowUrgency, Mark, Notification,
    NotifyPolicy, NotifyUrgency, Outage, PageFacts, PageView, QuietHours, Shown, Urgency,
};
pub use oncall::{oncall_summary, OnCallShift, OnCallSummary};
pub use postmortem::{postmortem_markdown, postmortem_window, PostmortemFacts};
pub use runbook_run::{fold_run, RunEvent, RunEventKind, RunStep, RunbookRun, StepState};
pub use runbook_view::{
    EntryRunbooks, LinkedRunbook, RunbookLibrary, RunbookStepView, RunbookSummary, RunbookView,
};
pub use search::*;
pub use shift::{
    current_or_last, handoff_due, manual_shift_id, shift_id, shifts_from_oncall, Shift,
    ShiftOrigin, WorkingHours,
};
pub use silence::Silence;
pub use suspects::{is_change, suspects, ServiceMatch, Suspect, DEFAULT_WINDOW_MINUTES};
pub use vitals::{
    budget_left, vital_label, SloGlance, VitalPoint, VitalSeries, VitalUnit, Vitals, VitalsProblem,
    VITAL_NAMES,
};
pub use workload::{
    PodLogs, ServiceWorkloads, UnhealthyPod, Workload, WorkloadEvent, WorkloadRevision,
    HEALTHY_PODS_LISTED, POD_LOG_LINES, POD_LOG_MAX_BYTES, POD_LOG_MAX_LINES,
};
