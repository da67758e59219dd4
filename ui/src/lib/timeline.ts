// Pure helpers for presenting timeline entries: no DOM, no IPC, unit-tested.
import type { EntryKind, HealthState, Severity, SourceHealth, SourceKind, Status, TimelineEntry } from "./bindings";

/** Formats an RFC 3339 instant as HH:MM in the cockpit's timezone (the scenario's under the simulator). */
export function clockTime(iso: string, tz: string): string {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone: tz,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(new Date(iso));
}

export interface HourGroup {
  hour: string;
  entries: TimelineEntry[];
}

/** Groups entries (already in contract order) by local hour, keeping that order. */
export function groupByHour(entries: TimelineEntry[], tz: string, newestFirst = false): HourGroup[] {
  const groups: HourGroup[] = [];
  const ordered = newestFirst ? [...entries].reverse() : entries;
  for (const e of ordered) {
    const hour = clockTime(e.started_at, tz).slice(0, 2) + ":00";
    const last = groups[groups.length - 1];
    if (last && last.hour === hour) last.entries.push(e);
    else groups.push({ hour, entries: [e] });
  }
  return groups;
}

// Colour never carries meaning alone: every severity, kind, source and health state has a glyph and a word.
export const severityGlyph: Record<Severity, string> = { critical: "▲", warning: "◆", info: "●" };

export const kindGlyph: Record<EntryKind, string> = {
  page: "☎",
  alert: "◉",
  annotation: "✎",
  ci_run: "⚙",
  deployment: "⇪",
  rollout: "⟳",
  scale: "⇕",
  k8s_event: "☸",
  node: "▣",
  action: "➤",
  note: "✐",
  runbook_step: "☑",
};

export const kindLabel: Record<EntryKind, string> = {
  page: "page",
  alert: "alert",
  annotation: "annotation",
  ci_run: "CI run",
  deployment: "deployment",
  rollout: "rollout",
  scale: "scale",
  k8s_event: "k8s event",
  node: "node",
  action: "action",
  note: "note",
  runbook_step: "runbook step",
};

export const sourceLabel: Record<SourceKind, string> = {
  pagerduty: "PagerDuty",
  alertmanager: "Alertmanager",
  grafana: "Grafana",
  prometheus: "Prometheus",
  github: "GitHub",
  kubernetes: "Kubernetes",
  opsdeck: "opsdeck",
};

export const healthGlyph: Record<HealthState, string> = { ok: "●", stale: "◐", error: "✕", unknown: "○" };

export function statusLabel(status: Status | null): string {
  return status === null ? "" : status.replace(/_/g, " ");
}

/** Only http(s) links are ever shown as links; anything else from a vendor is text. */
export function safeHttpUrl(url: string | null): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === "https:" || u.protocol === "http:" ? u.toString() : null;
  } catch {
    return null;
  }
}

/** "3 min ago"-style age of an instant relative to the cockpit's now, for staleness hints. */
export function age(iso: string | null, nowIso: string): string {
  if (!iso) return "never";
  const s = Math.max(0, Math.round((Date.parse(nowIso) - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  return `${Math.floor(s / 3600)} h ago`;
}

/** The hover line of a source in the health strip: why its state is what it is and the request
 * budget it spends (the backend's message), when it last synced, and the last error even after
 * a recovery. */
export function healthHover(h: SourceHealth, nowIso: string): string {
  const parts = [`${h.name}: ${h.message ?? h.state}`, `last success ${age(h.last_success_at, nowIso)}`];
  if (h.last_error && h.last_error !== h.message) parts.push(`last error: ${h.last_error}`);
  return parts.join(" — ");
}
