//! IPC commands: each one a thin call into the cockpit service.

use opsdeck_domain::{
    ActionOutcome, ActionPlan, ActionRequest, AppStatus, EntryLink, OnCallSummary, PodLogs,
    ServiceWorkloads, SourceHealth, Suspect, TimelineEntry, Vitals,
};
use opsdeck_domain::{EntryRunbooks, RunEventKind, RunbookLibrary, RunbookRun, RunbookView};
use opsdeck_domain::{HandoffReport, MorningRead, Shift};
use tauri::State;
use tauri_plugin_opener::OpenerExt;

use crate::error::IpcError;
use crate::state::Shell;

fn cockpit(shell: &Shell) -> Result<std::sync::Arc<opsdeck_engine::Cockpit>, IpcError> {
    shell
        .cockpit()
        .ok_or_else(|| IpcError::new("no_cockpit", "no sources are configured yet"))
}

#[tauri::command]
pub fn app_status(shell: State<'_, Shell>) -> Result<AppStatus, IpcError> {
    if let Some(e) = shell.boot_error() {
        return Err(IpcError::new("boot", e));
    }
    shell
        .status()
        .ok_or_else(|| IpcError::new("booting", "opsdeck is starting"))
}

#[tauri::command]
pub fn timeline_today(shell: State<'_, Shell>) -> Result<Vec<TimelineEntry>, IpcError> {
    let c = cockpit(&shell)?;
    Ok(c.timeline_day(c.today())?)
}

#[tauri::command]
pub fn source_health(shell: State<'_, Shell>) -> Result<Vec<SourceHealth>, IpcError> {
    Ok(cockpit(&shell)?.health()?)
}

#[tauri::command]
pub async fn start_demo(shell: State<'_, Shell>) -> Result<AppStatus, IpcError> {
    shell
        .start_demo()
        .await
        .map_err(|e| IpcError::new("demo", e))?;
    shell
        .status()
        .ok_or_else(|| IpcError::new("booting", "opsdeck is starting"))
}

#[tauri::command]
pub async fn refresh(shell: State<'_, Shell>) -> Result<(), IpcError> {
    cockpit(&shell)?.refresh().await;
    Ok(())
}

/// Opens an entry's vendor link (or an alert's runbook) in the system browser. The webview
/// names the entry and which of its links, not the URL, so it cannot make opsdeck open an
/// arbitrary address; only http(s) links are opened.
#[tauri::command]
pub fn open_entry_link(
    app: tauri::AppHandle,
    shell: State<'_, Shell>,
    id: String,
    link: Option<EntryLink>,
) -> Result<(), IpcError> {
    let c = cockpit(&shell)?;
    let entry = c
        .entry(&id)?
        .ok_or_else(|| IpcError::new("not_found", format!("no timeline entry {id}")))?;
    let which = link.unwrap_or_default();
    let url = entry.link(which).map(str::to_owned).ok_or_else(|| {
        IpcError::new(
            "no_link",
            match which {
                EntryLink::Url => "this entry has no web link",
                EntryLink::Runbook => "this entry has no runbook link",
            },
        )
    })?;
    app.opener()
        .open_url(url, None::<&str>)
        .map_err(|e| IpcError::new("open", format!("cannot open the browser: {e}")))
}

#[tauri::command]
pub fn timeline_entry(
    shell: State<'_, Shell>,
    id: String,
) -> Result<Option<TimelineEntry>, IpcError> {
    Ok(cockpit(&shell)?.entry(&id)?)
}

/// "What changed?" before an alert or page: the changes in the configured window before it
/// started, most suspicious first.
#[tauri::command]
pub fn suspects(shell: State<'_, Shell>, id: String) -> Result<Vec<Suspect>, IpcError> {
    cockpit(&shell)?
        .suspects(&id)?
        .ok_or_else(|| IpcError::new("not_found", format!("no timeline entry {id}")))
}

/// A service's vitals (sparklines and SLO) for the last `hours` (default 3, at most 48), read
/// from Prometheus now; what is missing says why in the answer, never as an error.
#[tauri::command]
pub async fn vitals(
    shell: State<'_, Shell>,
    service: String,
    hours: Option<u32>,
) -> Result<Vitals, IpcError> {
    let hours = hours.unwrap_or(opsdeck_engine::vitals::DEFAULT_HOURS);
    Ok(cockpit(&shell)?.vitals(&service, hours).await)
}

/// A service's Kubernetes workloads in every watched context, from the watchers' last state
/// (no request to the clusters); a failing context is named in `problems`.
#[tauri::command]
pub async fn workloads(
    shell: State<'_, Shell>,
    service: String,
) -> Result<ServiceWorkloads, IpcError> {
    Ok(cockpit(&shell)?.workloads(&service).await)
}

/// The last `lines` lines of a pod's log (default 200, at most 1,000 lines and 256 KiB), read
/// from its cluster now.
#[tauri::command]
pub async fn pod_logs(
    shell: State<'_, Shell>,
    context: String,
    namespace: String,
    pod: String,
    lines: Option<u32>,
) -> Result<PodLogs, IpcError> {
    let lines = lines.unwrap_or(opsdeck_domain::POD_LOG_LINES);
    cockpit(&shell)?
        .pod_logs(&context, &namespace, &pod, lines)
        .await
        .map_err(|e| IpcError::new("failed", e.to_string()))
}

fn runbook_error(e: opsdeck_engine::runbooks::RunbookError) -> IpcError {
    IpcError::new(
        if e.is_bad_input() { "refused" } else { "store" },
        e.to_string(),
    )
}

/// The runbook library (re-read when its folders changed), with what could not be read.
#[tauri::command]
pub fn runbook_library(shell: State<'_, Shell>) -> Result<RunbookLibrary, IpcError> {
    Ok(cockpit(&shell)?.runbook_library())
}

/// One runbook: sanitized HTML (made in Rust) and its steps, filled from an entry when given.
#[tauri::command]
pub fn runbook(
    shell: State<'_, Shell>,
    slug: String,
    entry_id: Option<String>,
) -> Result<RunbookView, IpcError> {
    cockpit(&shell)?
        .runbook(&slug, entry_id.as_deref())
        .map_err(runbook_error)
}

/// The runbooks an alert or a page links to.
#[tauri::command]
pub fn entry_runbooks(shell: State<'_, Shell>, id: String) -> Result<EntryRunbooks, IpcError> {
    cockpit(&shell)?.entry_runbooks(&id).map_err(runbook_error)
}

#[tauri::command]
pub fn runbook_run(shell: State<'_, Shell>, run_id: String) -> Result<RunbookRun, IpcError> {
    cockpit(&shell)?.run(&run_id).map_err(runbook_error)
}

#[tauri::command]
pub fn runbook_runs(
    shell: State<'_, Shell>,
    entry_id: String,
) -> Result<Vec<RunbookRun>, IpcError> {
    cockpit(&shell)?
        .runs_of_entry(&entry_id)
        .map_err(runbook_error)
}

#[tauri::command]
pub fn start_runbook_run(
    shell: State<'_, Shell>,
    slug: String,
    entry_id: Option<String>,
) -> Result<RunbookRun, IpcError> {
    cockpit(&shell)?
        .start_run(&slug, entry_id.as_deref())
        .map_err(runbook_error)
}

/// Ticks, unticks, skips (with a reason), notes or suggests an edit to a step, or ends a run.
#[tauri::command]
pub fn record_runbook_step(
    shell: State<'_, Shell>,
    run_id: String,
    kind: RunEventKind,
    step: Option<u32>,
    text: Option<String>,
) -> Result<RunbookRun, IpcError> {
    if kind == RunEventKind::Action {
        // Only a confirmed action writes an outcome to a step.
        return Err(IpcError::new(
            "refused",
            "a step's action outcome is recorded by confirming its plan",
        ));
    }
    cockpit(&shell)?
        .record_step(&run_id, kind, step, text)
        .map_err(runbook_error)
}

/// A run's suggested edits as a unified diff of its runbook, or null when it has none.
#[tauri::command]
pub fn runbook_patch(shell: State<'_, Shell>, run_id: String) -> Result<Option<String>, IpcError> {
    cockpit(&shell)?.run_patch(&run_id).map_err(runbook_error)
}

/// Plans a run's step's action (filled from the run's alert or page); confirmed like any other.
#[tauri::command]
pub async fn plan_runbook_step(
    shell: State<'_, Shell>,
    run_id: String,
    step: u32,
) -> Result<ActionPlan, IpcError> {
    match cockpit(&shell)?.plan_step(&run_id, step).await {
        Ok(plan) => Ok(plan),
        Err(opsdeck_engine::StepPlanError::Runbook(e)) => Err(runbook_error(e)),
        Err(opsdeck_engine::StepPlanError::Action(e)) => Err(e.into()),
    }
}

/// Says what an action will do and returns its single-use token. Nothing changes yet.
#[tauri::command]
pub async fn plan_action(
    shell: State<'_, Shell>,
    request: ActionRequest,
) -> Result<ActionPlan, IpcError> {
    Ok(cockpit(&shell)?.plan_action(request).await?)
}

/// Executes a plan. The engine, not the webview, checks the token (valid, unexpired, unused)
/// and the typed name: a forged call is refused and audited like any other.
#[tauri::command]
pub async fn confirm_action(
    shell: State<'_, Shell>,
    token: String,
    typed: Option<String>,
) -> Result<ActionOutcome, IpcError> {
    Ok(cockpit(&shell)?
        .confirm_action(&token, typed.as_deref())
        .await?)
}

#[tauri::command]
pub fn oncall_summary(shell: State<'_, Shell>) -> Result<OnCallSummary, IpcError> {
    Ok(cockpit(&shell)?.oncall()?)
}

/// Withdraws a plan the user cancelled, so its token can never be used.
#[tauri::command]
pub fn cancel_action(shell: State<'_, Shell>, token: String) -> Result<(), IpcError> {
    Ok(cockpit(&shell)?.cancel_action(&token)?)
}

fn shift_error(e: opsdeck_engine::ShiftError) -> IpcError {
    use opsdeck_engine::ShiftError as E;
    let code = match &e {
        E::Store(_) => "store",
        E::NoShift | E::UnknownShift(_) | E::UnknownIncident(_) => "not_found",
        E::AlreadyRunning(_) | E::NoneRunning | E::BadEdit(_) => "refused",
    };
    IpcError::new(code, e.to_string())
}

/// Any local day's timeline (`YYYY-MM-DD`).
#[tauri::command]
pub fn timeline_day(shell: State<'_, Shell>, day: String) -> Result<Vec<TimelineEntry>, IpcError> {
    let date = chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d")
        .map_err(|_| IpcError::new("refused", format!("{day:?} is not a day (YYYY-MM-DD)")))?;
    Ok(cockpit(&shell)?.timeline_day(date)?)
}

/// My shifts, newest first.
#[tauri::command]
pub fn shifts(shell: State<'_, Shell>) -> Result<Vec<Shift>, IpcError> {
    cockpit(&shell)?.shifts(500).map_err(shift_error)
}

/// A shift's handoff report (default: the current shift, else the last ended).
#[tauri::command]
pub fn handoff(
    shell: State<'_, Shell>,
    shift_id: Option<String>,
) -> Result<HandoffReport, IpcError> {
    cockpit(&shell)?
        .handoff(shift_id.as_deref())
        .map_err(shift_error)
}

/// Saves the handoff's summary and "watch next" items.
#[tauri::command]
pub fn edit_handoff(
    shell: State<'_, Shell>,
    shift_id: String,
    summary: Option<String>,
    watch_next: Vec<String>,
) -> Result<HandoffReport, IpcError> {
    cockpit(&shell)?
        .edit_handoff(&shift_id, summary.as_deref(), &watch_next)
        .map_err(shift_error)
}

/// A shift's report as Markdown (rendered in Rust, the same text `opsdeck handoff` prints).
#[tauri::command]
pub fn handoff_markdown(
    shell: State<'_, Shell>,
    shift_id: Option<String>,
) -> Result<String, IpcError> {
    let c = cockpit(&shell)?;
    let report = c.handoff(shift_id.as_deref()).map_err(shift_error)?;
    Ok(c.handoff_markdown(&report))
}

/// Writes a shift's report to the Downloads folder (Markdown or JSON) and returns the path.
#[tauri::command]
pub fn export_handoff(
    shell: State<'_, Shell>,
    shift_id: Option<String>,
    format: String,
) -> Result<String, IpcError> {
    let c = cockpit(&shell)?;
    let report = c.handoff(shift_id.as_deref()).map_err(shift_error)?;
    let (text, ext) = match format.as_str() {
        "markdown" => (c.handoff_markdown(&report), "md"),
        "json" => (
            serde_json::to_string_pretty(&report)
                .map_err(|e| IpcError::new("failed", e.to_string()))?,
            "json",
        ),
        other => {
            return Err(IpcError::new(
                "refused",
                format!("unknown format {other:?}; markdown or json"),
            ))
        }
    };
    let name = format!(
        "opsdeck-handoff-{}.{ext}",
        report
            .shift
            .start
            .with_timezone(&c.timezone())
            .format("%Y-%m-%d-%H%M")
    );
    let path = opsdeck_engine::paths::export_dir().join(name);
    opsdeck_engine::paths::write_atomically(&path, text.as_bytes())
        .map_err(|e| IpcError::new("failed", format!("cannot write {}: {e}", path.display())))?;
    Ok(path.display().to_string())
}

/// Starts a shift by hand.
#[tauri::command]
pub fn start_shift(shell: State<'_, Shell>) -> Result<Shift, IpcError> {
    cockpit(&shell)?.start_shift().map_err(shift_error)
}

/// Stops the shift started by hand.
#[tauri::command]
pub fn stop_shift(shell: State<'_, Shell>) -> Result<Shift, IpcError> {
    cockpit(&shell)?.stop_shift().map_err(shift_error)
}

/// The morning read as of now.
#[tauri::command]
pub fn morning_read(shell: State<'_, Shell>) -> Result<MorningRead, IpcError> {
    cockpit(&shell)?.morning_read().map_err(shift_error)
}

/// Marks the morning read as read: the next one starts from now.
#[tauri::command]
pub fn mark_morning_read(shell: State<'_, Shell>) -> Result<(), IpcError> {
    cockpit(&shell)?.mark_morning_read().map_err(shift_error)
}

/// An incident's postmortem timeline as Markdown, times in `timezone` (IANA; default the
/// cockpit's).
#[tauri::command]
pub fn postmortem(
    shell: State<'_, Shell>,
    incident: String,
    timezone: Option<String>,
) -> Result<String, IpcError> {
    let tz = timezone
        .map(|t| {
            t.parse::<chrono_tz::Tz>()
                .map_err(|_| IpcError::new("refused", format!("unknown timezone {t:?}")))
        })
        .transpose()?;
    cockpit(&shell)?
        .postmortem(&incident, tz)
        .map_err(shift_error)
}

/// Writes an incident's postmortem timeline to the Downloads folder; returns the path.
#[tauri::command]
pub fn export_postmortem(
    shell: State<'_, Shell>,
    incident: String,
    timezone: Option<String>,
) -> Result<String, IpcError> {
    let text = postmortem(shell.clone(), incident.clone(), timezone)?;
    let safe: String = incident
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let path = opsdeck_engine::paths::export_dir().join(format!("opsdeck-postmortem-{safe}.md"));
    opsdeck_engine::paths::write_atomically(&path, text.as_bytes())
        .map_err(|e| IpcError::new("failed", format!("cannot write {}: {e}", path.display())))?;
    Ok(path.display().to_string())
}

/// Full-text search over the whole history, newest first.
#[tauri::command]
pub fn search_history(
    shell: State<'_, Shell>,
    query: opsdeck_domain::SearchQuery,
) -> Result<Vec<opsdeck_domain::SearchHit>, IpcError> {
    Ok(cockpit(&shell)?.search(&query)?)
}
