// Reading a page entry's details (vendor data: every field is checked, nothing trusted) and
// presenting its PagerDuty log, plus the generic key/value view of any entry's details.
import type { JsonValue, Status, TimelineEntry } from "./bindings";
import { arr, obj, str } from "./json";

export interface Person {
  id: string | null;
  name: string;
}

export interface LogEntry {
  id: string | null;
  /** PagerDuty's log entry type without `_log_entry`: trigger, acknowledge, resolve, annotate, … */
  type: string;
  at: string | null;
  agent: string | null;
  summary: string | null;
  note: string | null;
}

export interface PageDetails {
  incidentNumber: number | null;
  urgency: "high" | "low" | null;
  service: string | null;
  serviceId: string | null;
  escalationPolicy: string | null;
  assignees: Person[];
  assignedToMe: boolean;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  /** Oldest first. */
  log: LogEntry[];
}

/** A page entry's `details`, read defensively: missing or mistyped fields become null/empty. */
export function pageDetails(details: JsonValue): PageDetails {
  const d = obj(details) ?? {};
  const service = obj(d.pagerduty_service);
  const urgency = d.urgency === "high" || d.urgency === "low" ? d.urgency : null;
  const assignees: Person[] = [];
  for (const a of arr(d.assignees)) {
    const o = obj(a);
    const name = str(o?.name) ?? str(o?.id);
    if (o && name) assignees.push({ id: str(o.id), name });
  }
  const log: LogEntry[] = [];
  for (const l of arr(d.log_entries)) {
    const o = obj(l);
    if (!o) continue;
    log.push({
      id: str(o.id),
      type: (str(o.type) ?? "unknown").replace(/_log_entry$/, ""),
      at: str(o.at),
      agent: str(o.agent),
      summary: str(o.summary),
      note: str(o.note),
    });
  }
  return {
    incidentNumber: typeof d.incident_number === "number" ? d.incident_number : null,
    urgency,
    service: str(service?.name),
    serviceId: str(service?.id),
    escalationPolicy: str(d.escalation_policy),
    assignees,
    assignedToMe: d.assigned_to_me === true,
    acknowledgedAt: str(d.acknowledged_at),
    resolvedAt: str(d.resolved_at),
    log: oldestFirst(log),
  };
}

function time(e: LogEntry): number {
  const t = e.at === null ? NaN : Date.parse(e.at);
  return Number.isNaN(t) ? Number.POSITIVE_INFINITY : t;
}

/**
 * Log entries oldest first. PagerDuty lists them newest first and several share a second (a
 * trigger and its assignment), so a newest-first list is reversed before a stable sort by
 * time: ties keep the vendor's order. Entries without a readable time go last.
 */
export function oldestFirst(log: readonly LogEntry[]): LogEntry[] {
  const list = [...log];
  if (list.length > 1 && time(list[0]) > time(list[list.length - 1])) list.reverse();
  return list.sort((a, b) => (time(a) === time(b) ? 0 : time(a) < time(b) ? -1 : 1));
}

const LOG_LABELS: Record<string, [glyph: string, word: string]> = {
  trigger: ["▲", "triggered"],
  acknowledge: ["✓", "acknowledged"],
  unacknowledge: ["↺", "unacknowledged"],
  resolve: ["●", "resolved"],
  annotate: ["✎", "note"],
  assign: ["→", "assigned"],
  escalate: ["↑", "escalated"],
  snooze: ["◷", "snoozed"],
  notify: ["✉", "notified"],
  reach_trigger_limit: ["■", "trigger limit"],
};

/** Glyph and word for a log entry type (colour never alone); unknown types keep their name. */
export function logLabel(type: string): { glyph: string; word: string } {
  const known = Object.prototype.hasOwnProperty.call(LOG_LABELS, type) ? LOG_LABELS[type] : null;
  return known ? { glyph: known[0], word: known[1] } : { glyph: "•", word: type.replace(/_/g, " ") };
}

/** The notes on an incident: its annotate entries' text (the summary when no note came), oldest first. */
export function notesOf(log: readonly LogEntry[]): LogEntry[] {
  return log.filter((e) => e.type === "annotate" && (e.note ?? e.summary) !== null);
}

/** The text a log line shows after its time and label. */
export function logText(e: LogEntry): string {
  const parts: string[] = [];
  if (e.agent) parts.push(e.agent);
  if (e.type === "annotate" && (e.note ?? e.summary)) parts.push(`“${e.note ?? e.summary}”`);
  else if (e.summary) parts.push(e.summary);
  if (e.type !== "annotate" && e.note) parts.push(`note: “${e.note}”`);
  return parts.join(" — ");
}

export const statusGlyph: Partial<Record<Status, string>> = {
  triggered: "▲",
  acknowledged: "✓",
  resolved: "●",
  firing: "▲",
  planned: "◌",
  refused: "⊘",
  succeeded: "✓",
  failed: "✕",
  failure: "✕",
  success: "✓",
};

/** opsdeck's own action entries aimed at this incident (by `details.target_id`), oldest first. */
export function relatedActions(entries: readonly TimelineEntry[], incidentId: string): TimelineEntry[] {
  return entries
    .filter((e) => e.source === "opsdeck" && e.kind === "action" && obj(e.details)?.target_id === incidentId)
    .sort((a, b) => Date.parse(a.started_at) - Date.parse(b.started_at));
}

export interface DetailRow {
  key: string;
  value: string;
}

/**
 * Any `details` value as key/value rows (dotted paths, `[i]` for arrays), for the generic
 * panel. Values are plain strings, rendered as text; at most `limit` rows.
 */
export function flattenDetails(details: JsonValue, limit = 200): DetailRow[] {
  const rows: DetailRow[] = [];
  const walk = (v: JsonValue, path: string) => {
    if (rows.length >= limit) return;
    if (Array.isArray(v)) {
      if (v.length === 0) rows.push({ key: path || "value", value: "[]" });
      v.forEach((x, i) => walk(x, `${path}[${i}]`));
    } else if (v !== null && typeof v === "object") {
      const keys = Object.keys(v);
      if (keys.length === 0 && path) rows.push({ key: path, value: "{}" });
      for (const k of keys) walk(v[k], path ? `${path}.${k}` : k);
    } else {
      rows.push({ key: path || "value", value: v === null ? "—" : String(v) });
    }
  };
  walk(details, "");
  return rows;
}
