//! The cockpit service: the one object every shell holds. It owns the store, the sources and
//! their supervisor, the clock and the change feed, and answers the shells' queries.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use opsdeck_domain::{
    local_date_of, local_day_bounds, oncall_summary, ActionOutcome, ActionPlan, ActionRequest,
    AuditRecord, HandoffReport, HealthState, MorningRead, OnCallSummary, PruneReport,
    RequestBudget, RunEvent, RunEventKind, RunbookRun, SearchHit, SearchQuery, Shift, SourceHealth,
    Suspect, TimelineEntry,
};
use opsdeck_store::Store;
use tokio::sync::broadcast;

use crate::actions::{ActionFailure, Actions};
use crate::clock::{Clock, SystemClock};
use crate::config::{Config, ConfigError};
use crate::feed::Change;
use crate::notifier::{DesktopNotifier, Notifier, Silent};
use crate::paging::PagingSettings;
use crate::registry::{build_all, Configured, RegistryError};
use crate::release::{Released, Releaser};
use crate::runbooks::RunbookError;
use crate::shifts::ShiftError;
use crate::supervisor::Supervisor;
use crate::sync::{lock, sync_source, SyncDeps, SyncOutcome, ME_KEY};

/// How long a shutdown waits for in-flight polls before abandoning them.
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Debug, thiserror::Error)]
pub enum CockpitError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Sources(#[from] RegistryError),
    #[error(transparent)]
    Store(#[from] opsdeck_store::StoreError),
    #[error("paging failed: {0}")]
    Paging(String),
    #[error("cannot create {path}: {source}")]
    Dir {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl CockpitError {
    /// Refused for what was asked rather than failed: the shells answer it as a usage error.
    pub fn is_bad_input(&self) -> bool {
        matches!(self, CockpitError::Store(e) if e.is_bad_input())
    }
}

pub struct CockpitOptions {
    pub config: Config,
    pub config_path: PathBuf,
    pub db_path: PathBuf,
    /// `None`: the system's notification service (or none when notifications are disabled).
    pub notifier: Option<Arc<dyn Notifier>>,
}

/// The result of one source's sync, by source name.
#[derive(Debug)]
pub struct SourceSync {
    pub name: String,
    pub result: Result<SyncOutcome, String>,
    /// What to do about a failure.
    pub hint: Option<String>,
}

pub struct Cockpit {
    config: Config,
    config_path: PathBuf,
    speed: f64,
    tz: chrono_tz::Tz,
    deps: Arc<SyncDeps>,
    sources: Vec<Configured>,
    releaser: Arc<Releaser>,
    supervisor: tokio::sync::Mutex<Option<Supervisor>>,
    shelf: crate::runbooks::Shelf,
}

/// Planning a runbook step's action: the step could not give one, or the action was refused.
#[derive(Debug, thiserror::Error)]
pub enum StepPlanError {
    #[error(transparent)]
    Runbook(#[from] crate::runbooks::RunbookError),
    #[error(transparent)]
    Action(#[from] ActionFailure),
}

impl Cockpit {
    pub fn open(options: CockpitOptions) -> Result<Cockpit, CockpitError> {
        let CockpitOptions {
            config,
            config_path,
            db_path,
            notifier,
        } = options;
        if let Some(dir) = db_path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| CockpitError::Dir {
                path: dir.into(),
                source,
            })?;
        }
        let store = Store::open(&db_path)?;
        let sources = build_all(&config)?;
        let (clock, speed): (Arc<dyn Clock>, f64) = match &config.clock {
            Some(c) => (Arc::new(c.clock()), c.speed),
            None => (Arc::new(SystemClock), 1.0),
        };
        let notifier = notifier.unwrap_or_else(|| {
            if config.notifications.enabled {
                Arc::new(DesktopNotifier::default())
            } else {
                Arc::new(Silent)
            }
        });
        let (feed, _) = broadcast::channel(256);
        let deps = Arc::new(SyncDeps {
            store: Arc::new(Mutex::new(store)),
            clock,
            feed,
            notifier,
            paging: PagingSettings {
                policy: config.notifications.policy(),
                tz: config.timezone(),
                me: config.me.clone(),
                self_alarm_after: config.notifications.self_alarm_after,
            },
        });
        let releaser = Arc::new(Releaser::new(
            deps.clone(),
            sources.clone(),
            config.me.clone(),
            config.actions.token_lifetime,
        ));
        Ok(Cockpit {
            shelf: crate::runbooks::Shelf::load(&config),
            tz: config.timezone(),
            config,
            config_path,
            speed,
            deps,
            sources,
            releaser,
            supervisor: tokio::sync::Mutex::new(None),
        })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn config_path(&self) -> &Path {
        &self.config_path
    }

    pub fn is_simulated(&self) -> bool {
        self.config.is_simulated()
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.deps.clock.now()
    }

    pub fn timezone(&self) -> chrono_tz::Tz {
        self.tz
    }

    /// The local day of the cockpit's now.
    pub fn today(&self) -> NaiveDate {
        local_date_of(self.now(), &self.tz)
    }

    pub fn timeline_day(&self, day: NaiveDate) -> Result<Vec<TimelineEntry>, CockpitError> {
        let (from, to) = local_day_bounds(day, &self.tz);
        self.timeline_between(from, to)
    }

    pub fn timeline_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<TimelineEntry>, CockpitError> {
        Ok(lock(&self.deps.store).entries_between(from, to)?)
    }

    pub fn entry(&self, id: &str) -> Result<Option<TimelineEntry>, CockpitError> {
        Ok(lock(&self.deps.store).entry(id)?)
    }

    /// "What changed?" for an entry (an alert, a page): the changes in the configured window
    /// before it started, most suspicious first. `None` when there is no such entry.
    pub fn suspects(&self, id: &str) -> Result<Option<Vec<Suspect>>, CockpitError> {
        let store = lock(&self.deps.store);
        let Some(subject) = store.entry(id)? else {
            return Ok(None);
        };
        let window = self.config.changes.window();
        // The query's end is exclusive; a change at the subject's very instant counts.
        let candidates = store.entries_between(
            subject.started_at - window,
            subject.started_at + chrono::Duration::seconds(1),
        )?;
        Ok(Some(opsdeck_domain::suspects(
            &subject,
            &candidates,
            window,
        )))
    }

    /// A service's vitals for the `hours` up to now, read from Prometheus now.
    pub async fn vitals(&self, service: &str, hours: u32) -> opsdeck_domain::Vitals {
        crate::vitals::vitals(&self.config, &self.sources, service, hours, self.now()).await
    }

    /// A service's Kubernetes workloads in every watched context, as last seen.
    pub async fn workloads(&self, service: &str) -> opsdeck_domain::ServiceWorkloads {
        crate::workloads::workloads(&self.sources, service).await
    }

    /// The last `lines` lines of a pod's log, read from its cluster now (bounded: see
    /// [`opsdeck_domain::POD_LOG_MAX_LINES`]).
    pub async fn pod_logs(
        &self,
        context: &str,
        namespace: &str,
        pod: &str,
        lines: u32,
    ) -> Result<opsdeck_domain::PodLogs, crate::workloads::WorkloadError> {
        crate::workloads::pod_logs(&self.sources, context, namespace, pod, lines).await
    }

    /// Every configured source's health, in config order; one never synced is `unknown`. The
    /// request budget comes from the live sources (this process's requests), not the store.
    pub fn health(&self) -> Result<Vec<SourceHealth>, CockpitError> {
        let now = self.now();
        let recorded = lock(&self.deps.store).source_health(now, self.stale_after())?;
        Ok(self
            .sources
            .iter()
            .map(|c| {
                let name = c.source.name();
                let health = recorded
                    .iter()
                    .find(|h| h.name == name)
                    .cloned()
                    .unwrap_or_else(|| SourceHealth {
                        name: name.to_string(),
                        kind: c.source.kind(),
                        state: HealthState::Unknown,
                        last_attempt_at: None,
                        last_success_at: None,
                        last_error: None,
                        last_error_at: None,
                        message: Some("not synced yet".into()),
                        requests_per_minute: None,
                        allowed_per_minute: None,
                        vendor_remaining: None,
                        vendor_limit: None,
                    });
                match c.source.budget() {
                    Some(b) => health.with_budget(RequestBudget {
                        requests_per_minute: b.requests_last_minute,
                        allowed_per_minute: b.allowed_per_minute,
                        vendor_remaining: b.vendor_remaining,
                        vendor_limit: b.vendor_limit,
                    }),
                    None => health,
                }
            })
            .collect())
    }

    /// Stale after three missed polls of the slowest source, in data time (the simulated clock
    /// runs faster than the polls do).
    fn stale_after(&self) -> chrono::Duration {
        let slowest = self
            .sources
            .iter()
            .map(|c| c.config.poll_interval)
            .max()
            .unwrap_or(Duration::from_secs(30));
        let data_time = slowest.mul_f64(3.0 * self.speed.max(1.0));
        chrono::Duration::from_std(data_time).unwrap_or(chrono::Duration::minutes(5))
    }

    /// Pages triggered or acknowledged and assigned to me, oldest first (the tray's count).
    pub fn my_open_pages(&self) -> Result<Vec<TimelineEntry>, CockpitError> {
        Ok(lock(&self.deps.store)
            .open_pages()?
            .into_iter()
            .filter(|e| e.details.get("assigned_to_me") == Some(&serde_json::Value::Bool(true)))
            .collect())
    }

    /// Shows the notifications due now (reminders come due between syncs; the supervisor
    /// calls this on its own tick). Returns how many were shown.
    pub async fn notify_due(&self) -> Result<usize, CockpitError> {
        crate::paging::notify_due(&self.deps)
            .await
            .map_err(|e| CockpitError::Paging(e.to_string()))
    }

    /// Who is on call: my current and next shift, and who holds my escalation policies now.
    pub fn oncall(&self) -> Result<OnCallSummary, CockpitError> {
        let store = lock(&self.deps.store);
        let (shifts, fetched_at) = store.oncall()?;
        let me = self.me_with(&store)?;
        Ok(oncall_summary(
            &shifts,
            me.as_deref(),
            self.now(),
            fetched_at,
        ))
    }

    /// My email: the config's `me`, else what the first source that knows said.
    pub fn me(&self) -> Result<Option<String>, CockpitError> {
        self.me_with(&lock(&self.deps.store))
    }

    fn me_with(&self, store: &Store) -> Result<Option<String>, CockpitError> {
        me_in(self.config.me.as_deref(), &self.sources, store)
    }

    /// Expires the silences tied to PagerDuty incidents that have resolved (the supervisor
    /// does this on its own tick; `opsdeck sync --once` calls it after syncing).
    pub async fn release_resolved(&self) -> Vec<Released> {
        self.releaser.release_resolved().await
    }

    /// Plans an action: what it will do and the single-use token that executes it.
    pub async fn plan_action(&self, request: ActionRequest) -> Result<ActionPlan, ActionFailure> {
        self.actions().plan(request).await
    }

    /// Executes a planned action, only with a valid, unexpired, unused token (and the
    /// target's name typed, where the source asks for it).
    pub async fn confirm_action(
        &self,
        token: &str,
        typed: Option<&str>,
    ) -> Result<ActionOutcome, ActionFailure> {
        self.actions().confirm(token, typed).await
    }

    /// Withdraws a plan before confirming it; its token stops working.
    pub fn cancel_action(&self, token: &str) -> Result<(), ActionFailure> {
        self.actions().cancel(token)
    }

    /// The runbook library, re-read if its folders changed on disk.
    pub fn runbook_library(&self) -> opsdeck_domain::RunbookLibrary {
        crate::runbooks::library_view(&self.shelf.library())
    }

    fn entry_of(&self, id: &str) -> Result<TimelineEntry, RunbookError> {
        lock(&self.deps.store)
            .entry(id)?
            .ok_or_else(|| RunbookError::NoEntry(id.to_string()))
    }

    /// One runbook: its sanitized HTML and its steps, filled from `entry_id`'s alert or page.
    pub fn runbook(
        &self,
        slug: &str,
        entry_id: Option<&str>,
    ) -> Result<opsdeck_domain::RunbookView, RunbookError> {
        let entry = entry_id.map(|id| self.entry_of(id)).transpose()?;
        let library = self.shelf.library();
        let runbook = crate::runbooks::find(&library, slug)?;
        Ok(crate::runbooks::runbook_view(
            &self.config,
            runbook,
            entry.as_ref(),
        ))
    }

    /// The runbooks an alert or a page links to, and an alert's runbook URL that names none.
    pub fn entry_runbooks(
        &self,
        entry_id: &str,
    ) -> Result<opsdeck_domain::EntryRunbooks, RunbookError> {
        let entry = self.entry_of(entry_id)?;
        Ok(crate::runbooks::entry_runbooks(
            &self.shelf.library(),
            &entry,
        ))
    }

    /// Starts a run of runbook `slug`, on a timeline entry or on its own.
    pub fn start_run(
        &self,
        slug: &str,
        entry_id: Option<&str>,
    ) -> Result<RunbookRun, RunbookError> {
        let entry = entry_id.map(|id| self.entry_of(id)).transpose()?;
        let runbook = crate::runbooks::find(&self.shelf.library(), slug)?.clone();
        let me = self.me().ok().flatten();
        let id = format!("run-{}", crate::actions::random_id());
        let run = crate::runbooks::start(
            &mut lock(&self.deps.store),
            &runbook,
            entry.as_ref(),
            &id,
            self.now(),
            me.as_deref(),
        )?;
        Ok(run)
    }

    /// Ticks, unticks, skips (with a reason), notes, suggests an edit to a step, or ends the
    /// run (`step` `None`); the run as it stands after. Each is also on the timeline.
    pub fn record_step(
        &self,
        run_id: &str,
        kind: RunEventKind,
        step: Option<u32>,
        text: Option<String>,
    ) -> Result<RunbookRun, RunbookError> {
        let event = RunEvent {
            kind,
            step,
            text: text.map(|t| t.trim().to_string()).filter(|t| !t.is_empty()),
            action_id: None,
            ok: None,
            at: self.now(),
            by: self.me().ok().flatten(),
        };
        let step_text = self.step_text(run_id, step);
        let (run, entry_id) = crate::runbooks::record_and_enter(
            &mut lock(&self.deps.store),
            run_id,
            &event,
            step_text.as_deref(),
        )?;
        let _ = self.deps.feed.send(Change::Entries {
            source: "opsdeck".into(),
            ids: vec![entry_id],
        });
        Ok(run)
    }

    fn step_text(&self, run_id: &str, step: Option<u32>) -> Option<String> {
        let run = lock(&self.deps.store).run(run_id).ok()??;
        let library = self.shelf.library();
        Some(
            library
                .get(&run.runbook)?
                .step(step? as usize)?
                .text
                .clone(),
        )
    }

    pub fn run(&self, run_id: &str) -> Result<RunbookRun, RunbookError> {
        lock(&self.deps.store)
            .run(run_id)?
            .ok_or_else(|| RunbookError::NoRun(run_id.to_string()))
    }

    /// The run's "this step was wrong" edits as a unified diff of its runbook's file (paths
    /// relative to the runbook folder, for `git apply` there); `None` when it has none.
    pub fn run_patch(&self, run_id: &str) -> Result<Option<String>, RunbookError> {
        let run = self.run(run_id)?;
        let edits: Vec<(usize, String)> = run
            .steps
            .iter()
            .filter_map(|s| Some((s.index as usize, s.suggestion.clone()?)))
            .collect();
        if edits.is_empty() {
            return Ok(None);
        }
        let library = self.shelf.library();
        let runbook = crate::runbooks::find(&library, &run.runbook)?;
        let shown = library
            .folders()
            .iter()
            .find_map(|f| runbook.path.strip_prefix(f).ok())
            .unwrap_or(&runbook.path)
            .display()
            .to_string();
        Ok(opsdeck_runbooks::suggestion_patch(runbook, &edits, &shown))
    }

    /// The runs started on an entry, oldest first.
    pub fn runs_of_entry(&self, entry_id: &str) -> Result<Vec<RunbookRun>, RunbookError> {
        Ok(lock(&self.deps.store).runs_of_entry(entry_id)?)
    }

    /// Plans the action of a run's step, filled from the run's alert or page; confirmed, its
    /// outcome is written to the step.
    pub async fn plan_step(&self, run_id: &str, step: u32) -> Result<ActionPlan, StepPlanError> {
        let run = self.run(run_id)?;
        if run.ended_at.is_some() {
            return Err(RunbookError::Ended(run_id.to_string()).into());
        }
        let entry = run
            .entry_id
            .as_deref()
            .map(|id| self.entry_of(id))
            .transpose()?;
        let request = {
            let library = self.shelf.library();
            let runbook = crate::runbooks::find(&library, &run.runbook)?;
            crate::runbooks::step_request(&self.config, runbook, step, entry.as_ref())?
        };
        let plan = self.actions().plan(request).await?;
        lock(&self.deps.store)
            .link_step_action(&plan.action_id, run_id, step)
            .map_err(RunbookError::from)?;
        Ok(plan)
    }

    // Shifts, handoff, morning read, postmortem.

    fn handoff_settings(
        &self,
        store: &Store,
    ) -> Result<(Option<String>, Option<String>), CockpitError> {
        let me = self.me_with(store)?;
        let (oncall, _) = store.oncall()?;
        let name = oncall
            .iter()
            .find(|o| matches!((me.as_deref(), o.user_email.as_deref()), (Some(m), Some(e)) if e.eq_ignore_ascii_case(m)))
            .map(|o| o.user_name.clone());
        Ok((me, name))
    }

    fn with_handoff<T>(
        &self,
        f: impl FnOnce(&mut Store, &crate::shifts::HandoffSettings<'_>) -> Result<T, ShiftError>,
    ) -> Result<T, ShiftError> {
        let mut store = lock(&self.deps.store);
        let (me, name) = self.handoff_settings(&store).map_err(|e| match e {
            CockpitError::Store(s) => ShiftError::Store(s),
            other => ShiftError::BadEdit(other.to_string()),
        })?;
        let hours = self.config.shifts.working_hours();
        let settings = crate::shifts::HandoffSettings {
            me: me.as_deref(),
            user_name: name.as_deref(),
            working_hours: &hours,
            tz: self.tz,
        };
        f(&mut store, &settings)
    }

    /// Every entry of the history holding all the words of `query.text` and passing its
    /// filters, newest first.
    pub fn search(&self, query: &SearchQuery) -> Result<Vec<SearchHit>, CockpitError> {
        Ok(lock(&self.deps.store).search(query)?)
    }

    /// Deletes what is older than `older_than` (default: the config's retention) and vacuums.
    pub fn prune(&self, older_than: Option<chrono::Duration>) -> Result<PruneReport, CockpitError> {
        let retention = older_than.unwrap_or_else(|| self.config.history.retention());
        Ok(crate::history::prune_now(
            &self.deps,
            self.now(),
            retention,
        )?)
    }

    /// My shifts that have started, newest first.
    pub fn shifts(&self, limit: u32) -> Result<Vec<Shift>, ShiftError> {
        Ok(lock(&self.deps.store).shifts(self.now(), limit)?)
    }

    /// The current shift, else the last ended; `None` before any.
    pub fn current_shift(&self) -> Result<Option<Shift>, ShiftError> {
        crate::shifts::current(&lock(&self.deps.store), self.now())
    }

    /// Starts a shift by hand (for teams without a PagerDuty schedule).
    pub fn start_shift(&self) -> Result<Shift, ShiftError> {
        let now = self.now();
        let shift =
            self.with_handoff(|store, settings| crate::shifts::start_manual(store, now, settings))?;
        let _ = self.deps.feed.send(Change::Shifts);
        Ok(shift)
    }

    /// Stops the shift started by hand.
    pub fn stop_shift(&self) -> Result<Shift, ShiftError> {
        let shift = crate::shifts::stop_manual(&mut lock(&self.deps.store), self.now())?;
        let _ = self.deps.feed.send(Change::Shifts);
        Ok(shift)
    }

    /// The handoff report of a shift (default: the current one, else the last ended).
    pub fn handoff(&self, shift_id: Option<&str>) -> Result<HandoffReport, ShiftError> {
        let now = self.now();
        self.with_handoff(|store, settings| {
            let shift = crate::shifts::resolve(store, shift_id, now)?;
            crate::shifts::handoff(store, &shift, now, settings)
        })
    }

    /// Saves the handoff's summary line and "watch next" items; returns the report as it now
    /// reads.
    pub fn edit_handoff(
        &self,
        shift_id: &str,
        summary: Option<&str>,
        watch_next: &[String],
    ) -> Result<HandoffReport, ShiftError> {
        let (summary, items) = crate::shifts::clean_edit(summary, watch_next)?;
        let now = self.now();
        let report = self.with_handoff(|store, settings| {
            let shift = store
                .edit_handoff(shift_id, summary.as_deref(), &items, now)?
                .ok_or_else(|| ShiftError::UnknownShift(shift_id.to_string()))?;
            crate::shifts::handoff(store, &shift, now, settings)
        })?;
        let _ = self.deps.feed.send(Change::Shifts);
        Ok(report)
    }

    /// The report as Markdown, times in the cockpit's timezone.
    pub fn handoff_markdown(&self, report: &HandoffReport) -> String {
        opsdeck_domain::handoff_markdown(report, &self.tz)
    }

    /// The morning read as of now.
    pub fn morning_read(&self) -> Result<MorningRead, ShiftError> {
        let sources = self.health().map_err(|e| match e {
            CockpitError::Store(s) => ShiftError::Store(s),
            other => ShiftError::BadEdit(other.to_string()),
        })?;
        crate::shifts::morning_read(&lock(&self.deps.store), self.now(), sources)
    }

    /// Marks the morning read as read now: the next one starts here.
    pub fn mark_morning_read(&self) -> Result<(), ShiftError> {
        crate::shifts::mark_read(&mut lock(&self.deps.store), self.now())
    }

    /// A Markdown postmortem timeline of an incident (opsdeck entry id or PagerDuty id), times
    /// in `tz` (default: the cockpit's timezone).
    pub fn postmortem(
        &self,
        incident: &str,
        tz: Option<chrono_tz::Tz>,
    ) -> Result<String, ShiftError> {
        crate::shifts::postmortem(
            &lock(&self.deps.store),
            incident,
            self.now(),
            self.config.changes.window(),
            &tz.unwrap_or(self.tz),
        )
    }

    /// An action's audit records, oldest first.
    pub fn audit_of(&self, action_id: &str) -> Result<Vec<AuditRecord>, CockpitError> {
        Ok(lock(&self.deps.store).audit_of(action_id)?)
    }

    fn actions(&self) -> Actions<'_> {
        Actions {
            deps: &self.deps,
            sources: &self.sources,
            me: self.me().ok().flatten(),
            token_lifetime: self.config.actions.token_lifetime,
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.deps.feed.subscribe()
    }

    /// Syncs every source once, concurrently; one failing source does not stop the others.
    pub async fn sync_once(&self) -> Vec<SourceSync> {
        let runs = self.sources.iter().map(|c| async {
            let name = c.source.name().to_string();
            let result = sync_source(&self.deps, c.source.as_ref(), c.config.backfill).await;
            let hint = result.as_ref().err().map(|e| e.hint(&name));
            SourceSync {
                name,
                result: result.map_err(|e| e.to_string()),
                hint,
            }
        });
        futures::future::join_all(runs).await
    }

    /// Starts polling every source in the background (needs a Tokio runtime).
    pub async fn start(&self) {
        let mut slot = self.supervisor.lock().await;
        if slot.is_none() {
            *slot = Some(Supervisor::spawn(
                self.deps.clone(),
                &self.sources,
                Some(self.releaser.clone()),
                Some(self.config.history.retention()),
            ));
        }
    }

    /// Polls every source now.
    pub async fn refresh(&self) {
        if let Some(s) = self.supervisor.lock().await.as_ref() {
            s.refresh();
        }
    }

    pub async fn shutdown(&self) {
        if let Some(s) = self.supervisor.lock().await.take() {
            s.shutdown(SHUTDOWN_TIMEOUT).await;
        }
    }
}

/// My email: the config's `me`, else what the first source that knows said.
fn me_in(
    config_me: Option<&str>,
    sources: &[Configured],
    store: &Store,
) -> Result<Option<String>, CockpitError> {
    if let Some(me) = config_me {
        return Ok(Some(me.to_string()));
    }
    for c in sources {
        if let Some(me) = store.cursor(c.source.name(), ME_KEY)? {
            return Ok(Some(me));
        }
    }
    Ok(None)
}

/// [`me_in`] on the shared store.
pub(crate) fn me_from(
    config_me: Option<&str>,
    sources: &[Configured],
    deps: &SyncDeps,
) -> Result<Option<String>, CockpitError> {
    me_in(config_me, sources, &lock(&deps.store))
}
