// The one place the UI talks to the backend. Components receive a `Backend` so tests can hand
// them a mock; the real one goes through Tauri's IPC.
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type {
  ActionOutcome,
  ActionPlan,
  ActionRequest,
  AppStatus,
  EntryLink,
  EntryRunbooks,
  HandoffReport,
  MorningRead,
  OnCallSummary,
  PodLogs,
  RunEventKind,
  RunbookLibrary,
  RunbookRun,
  RunbookView,
  SearchHit,
  SearchQuery,
  ServiceWorkloads,
  Shift,
  SourceHealth,
  Suspect,
  TimelineEntry,
  Vitals,
} from "./bindings";

export interface Backend {
  status(): Promise<AppStatus>;
  today(): Promise<TimelineEntry[]>;
  health(): Promise<SourceHealth[]>;
  startDemo(): Promise<AppStatus>;
  refresh(): Promise<void>;
  /** Opens an entry's vendor link, or an alert's runbook, in the system browser (the backend looks the URL up). */
  openLink(entryId: string, link?: EntryLink): Promise<void>;
  /** Calls `cb` whenever the cockpit's data changed; returns the unsubscribe function. */
  onChange(cb: () => void): Promise<() => void>;
  /** Says what an action would do and returns its single-use token; nothing changes yet. */
  planAction(request: ActionRequest): Promise<ActionPlan>;
  /** Executes a plan; `typed` is the type-to-confirm text (the backend checks it too). */
  confirmAction(token: string, typed: string | null): Promise<ActionOutcome>;
  /** Withdraws a plan that will not be confirmed; its token stops working. */
  cancelAction(token: string): Promise<void>;
  /** One entry by id, from any day in the cache. */
  entry(id: string): Promise<TimelineEntry | null>;
  /** Calls `cb` with an entry id when the user clicked that page's desktop notification. */
  onFocusEntry(cb: (id: string) => void): Promise<() => void>;
  /** My current and next shift, and who holds my escalation policies now. */
  oncall(): Promise<OnCallSummary>;
  /** "What changed?" before an alert or page: changes in the window before it, likeliest first. */
  suspects(entryId: string): Promise<Suspect[]>;
  /** A service's sparklines and SLO for the last `hours`, read from Prometheus now. */
  vitals(service: string, hours?: number): Promise<Vitals>;
  /** A service's Kubernetes workloads in every watched context, as the watchers last saw them. */
  workloads(service: string): Promise<ServiceWorkloads>;
  /** The last `lines` lines of a pod's log (bounded by the backend), read from its cluster now. */
  podLogs(context: string, namespace: string, pod: string, lines?: number): Promise<PodLogs>;
  /** The runbook library (re-read by the backend when its folders change). */
  runbookLibrary(): Promise<RunbookLibrary>;
  /** One runbook: HTML sanitized in Rust, and its steps filled from the entry when given. */
  runbook(slug: string, entryId?: string | null): Promise<RunbookView>;
  /** The runbooks an alert or a page links to. */
  entryRunbooks(entryId: string): Promise<EntryRunbooks>;
  runbookRuns(entryId: string): Promise<RunbookRun[]>;
  runbookRun(runId: string): Promise<RunbookRun>;
  startRunbookRun(slug: string, entryId: string | null): Promise<RunbookRun>;
  /** Tick, untick, skip (text: why), note, suggest (text), or end (step null). */
  recordRunbookStep(runId: string, kind: RunEventKind, step: number | null, text?: string | null): Promise<RunbookRun>;
  /** Plans a step's action; the plan is confirmed in the dialog like any other. */
  planRunbookStep(runId: string, step: number): Promise<ActionPlan>;
  /** A run's "this step was wrong" edits as a unified diff of the runbook file, or null. */
  runbookPatch(runId: string): Promise<string | null>;
  /** Any local day's timeline (`YYYY-MM-DD`), from the cache. */
  timelineDay(day: string): Promise<TimelineEntry[]>;
  /** My shifts, newest first. */
  shifts(): Promise<Shift[]>;
  /** A shift's handoff report; without an id the current shift, else the last ended ("not_found": none yet). */
  handoff(shiftId?: string | null): Promise<HandoffReport>;
  /** Saves the handoff's one-line summary and "watch next" items ("refused": too long). */
  editHandoff(shiftId: string, summary: string | null, watchNext: string[]): Promise<HandoffReport>;
  /** The report as Markdown, rendered in Rust. */
  handoffMarkdown(shiftId?: string | null): Promise<string>;
  /** Writes the report to the Downloads folder; returns the path written. */
  exportHandoff(shiftId: string | null, format: ExportFormat): Promise<string>;
  /** Starts a shift by hand ("refused" when one already runs). */
  startShift(): Promise<Shift>;
  /** Stops the shift started by hand ("refused" when none runs). */
  stopShift(): Promise<Shift>;
  morningRead(): Promise<MorningRead>;
  /** The next morning read starts from now. */
  markMorningRead(): Promise<void>;
  /** An incident's postmortem timeline as Markdown; `timezone` an IANA name (default: the cockpit's). */
  postmortem(incident: string, timezone?: string | null): Promise<string>;
  /** Writes the postmortem timeline to the Downloads folder; returns the path written. */
  exportPostmortem(incident: string, timezone?: string | null): Promise<string>;
  /** Every entry of the history holding the query's words and passing its filters, newest first ("refused": bad input). */
  searchHistory(query: SearchQuery): Promise<SearchHit[]>;
}

export type ExportFormat = "markdown" | "json";

/**
 * Errors cross IPC as `{code, message}`. Codes for actions: "refused" (bad or expired token,
 * read-only source, type-to-confirm mismatch, bad parameters), "failed" (vendor or network),
 * "store".
 */
export function errorCode(e: unknown): string | null {
  return e && typeof e === "object" && "code" in e && typeof e.code === "string" ? e.code : null;
}

/** Keep the message, never the raw object. */
export function errorMessage(e: unknown): string {
  if (typeof e === "string") return e;
  if (e && typeof e === "object" && "message" in e && typeof e.message === "string") return e.message;
  return "unexpected error";
}

export const tauriBackend: Backend = {
  status: () => invoke<AppStatus>("app_status"),
  today: () => invoke<TimelineEntry[]>("timeline_today"),
  health: () => invoke<SourceHealth[]>("source_health"),
  startDemo: () => invoke<AppStatus>("start_demo"),
  refresh: () => invoke<void>("refresh"),
  openLink: (id, link = "url") => invoke<void>("open_entry_link", { id, link }),
  onChange: (cb) => listen("cockpit-changed", () => cb()),
  planAction: (request) => invoke<ActionPlan>("plan_action", { request }),
  confirmAction: (token, typed) => invoke<ActionOutcome>("confirm_action", { token, typed }),
  entry: (id) => invoke<TimelineEntry | null>("timeline_entry", { id }),
  onFocusEntry: (cb) => listen<string>("focus-entry", (e) => cb(e.payload)),
  oncall: () => invoke<OnCallSummary>("oncall_summary"),
  cancelAction: (token) => invoke<void>("cancel_action", { token }),
  suspects: (id) => invoke<Suspect[]>("suspects", { id }),
  vitals: (service, hours) => invoke<Vitals>("vitals", { service, hours: hours ?? null }),
  workloads: (service) => invoke<ServiceWorkloads>("workloads", { service }),
  runbookLibrary: () => invoke<RunbookLibrary>("runbook_library"),
  runbook: (slug, entryId) => invoke<RunbookView>("runbook", { slug, entryId: entryId ?? null }),
  entryRunbooks: (id) => invoke<EntryRunbooks>("entry_runbooks", { id }),
  runbookRuns: (entryId) => invoke<RunbookRun[]>("runbook_runs", { entryId }),
  runbookRun: (runId) => invoke<RunbookRun>("runbook_run", { runId }),
  startRunbookRun: (slug, entryId) => invoke<RunbookRun>("start_runbook_run", { slug, entryId }),
  recordRunbookStep: (runId, kind, step, text) =>
    invoke<RunbookRun>("record_runbook_step", { runId, kind, step, text: text ?? null }),
  planRunbookStep: (runId, step) => invoke<ActionPlan>("plan_runbook_step", { runId, step }),
  runbookPatch: (runId) => invoke<string | null>("runbook_patch", { runId }),
  podLogs: (context, namespace, pod, lines) =>
    invoke<PodLogs>("pod_logs", { context, namespace, pod, lines: lines ?? null }),
  timelineDay: (day) => invoke<TimelineEntry[]>("timeline_day", { day }),
  shifts: () => invoke<Shift[]>("shifts"),
  handoff: (shiftId) => invoke<HandoffReport>("handoff", { shiftId: shiftId ?? null }),
  editHandoff: (shiftId, summary, watchNext) => invoke<HandoffReport>("edit_handoff", { shiftId, summary, watchNext }),
  handoffMarkdown: (shiftId) => invoke<string>("handoff_markdown", { shiftId: shiftId ?? null }),
  exportHandoff: (shiftId, format) => invoke<string>("export_handoff", { shiftId, format }),
  startShift: () => invoke<Shift>("start_shift"),
  stopShift: () => invoke<Shift>("stop_shift"),
  morningRead: () => invoke<MorningRead>("morning_read"),
  markMorningRead: () => invoke<void>("mark_morning_read"),
  postmortem: (incident, timezone) => invoke<string>("postmortem", { incident, timezone: timezone ?? null }),
  exportPostmortem: (incident, timezone) =>
    invoke<string>("export_postmortem", { incident, timezone: timezone ?? null }),
  searchHistory: (query) => invoke<SearchHit[]>("search_history", { query }),
};
