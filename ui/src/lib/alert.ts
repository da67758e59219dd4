// Reading an alert entry's details (vendor data: every field is checked, nothing trusted) and
// the silence form's requests. Nothing here acts: a silence goes through plan → confirmation
// dialog → confirm like every action.
import type { ActionKind, ActionRequest, JsonValue, SourceKind, TimelineEntry } from "./bindings";
import { arr, obj, str } from "./json";
import type { Parsed } from "./actions";

export interface Silence {
  id: string;
  createdBy: string | null;
  comment: string | null;
  endsAt: string | null;
}

export interface AlertDetails {
  /** Label name → value, `alertname` first, then by name. */
  labels: [string, string][];
  /** Annotation name → value, `summary` and `description` first, then by name. */
  annotations: [string, string][];
  fingerprint: string | null;
  /** Alertmanager's state: active, suppressed, unprocessed. */
  state: string | null;
  silencedBy: Silence[];
  inhibitedBy: string[];
  runbookUrl: string | null;
  /** Grafana's rule behind the alert, when the source knows it. */
  rule: AlertRule | null;
  /** Set when the alert was reconstructed after a gap (from Prometheus' ALERTS). */
  backfilledFrom: string | null;
}

export interface AlertRule {
  group: string | null;
  folder: string | null;
  health: string | null;
  query: string | null;
  lastError: string | null;
}

function pairs(v: JsonValue | undefined, first: readonly string[]): [string, string][] {
  const o = obj(v) ?? {};
  const rank = (k: string) => {
    const i = first.indexOf(k);
    return i === -1 ? first.length : i;
  };
  return Object.keys(o)
    .filter((k) => typeof o[k] === "string")
    .sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0))
    .map((k) => [k, o[k] as string]);
}

/** An alert entry's `details`, read defensively: missing or mistyped fields become null/empty. */
export function alertDetails(details: JsonValue): AlertDetails {
  const d = obj(details) ?? {};
  const silencedBy: Silence[] = [];
  for (const s of arr(d.silenced_by)) {
    // Either a bare silence id or the silence itself.
    const id = str(s) ?? str(obj(s)?.id);
    if (!id) continue;
    const o = obj(s);
    silencedBy.push({
      id,
      createdBy: str(o?.created_by),
      comment: str(o?.comment),
      endsAt: str(o?.ends_at),
    });
  }
  const annotations = pairs(d.annotations, ["summary", "description"]);
  const runbook = annotations.find(([k]) => k === "runbook_url")?.[1] ?? null;
  return {
    labels: pairs(d.labels, ["alertname"]),
    annotations,
    fingerprint: str(d.fingerprint),
    state: str(d.state),
    silencedBy,
    inhibitedBy: arr(d.inhibited_by)
      .map((x) => str(x))
      .filter((x): x is string => x !== null),
    runbookUrl: runbook,
    rule: ruleOf(d.rule),
    backfilledFrom: str(d.backfilled_from),
  };
}

function ruleOf(v: JsonValue | undefined): AlertRule | null {
  const r = obj(v);
  if (!r) return null;
  return {
    group: str(r.group),
    folder: str(r.folder),
    health: str(r.health),
    query: str(r.query),
    lastError: str(r.last_error),
  };
}

/** One Alertmanager equality matcher, quoted and escaped as Alertmanager parses them. */
export function matcher(name: string, value: string): string {
  const escaped = value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
  return `${name}="${escaped}"`;
}

/** The matchers a silence of this alert starts from: every label, as equality matchers. */
export function defaultMatchers(labels: readonly [string, string][]): string {
  return labels.map(([k, v]) => matcher(k, v)).join(", ");
}

export const SILENCE_PRESETS = ["1h", "2h", "4h", "1d"] as const;

const DURATION = /^(\d+\s*(s|m|h|d|w)\s*)+$/i;

/**
 * The silence form's parameters. The comment is required (whoever reads the silence later needs
 * the why); matchers are sent only when the user changed them, so the backend's default — every
 * label of the alert — applies otherwise.
 */
export function silenceParams(
  duration: string,
  comment: string,
  matchers: string,
  defaults: string,
  untilResolved: string | null = null,
  sourceName: string | null = null,
): Parsed {
  const d = duration.trim();
  if (!DURATION.test(d)) return { ok: false, error: "Enter a duration like 30m, 2h or 1d." };
  const c = comment.trim();
  if (!c) return { ok: false, error: "Say why: a silence needs a comment." };
  const m = matchers.trim();
  if (!m) return { ok: false, error: "A silence needs at least one matcher." };
  const params: Record<string, string> = { duration: d, comment: c };
  if (m !== defaults.trim()) params.matchers = m;
  if (untilResolved) params.until_resolved = untilResolved;
  // Which of several Alertmanagers (or Grafanas) holds the alert: the engine routes by it.
  if (sourceName) params.source = sourceName;
  return { ok: true, params };
}

/** Sources whose alerts can be silenced from opsdeck. */
export function silenceSource(source: SourceKind): "alertmanager" | "grafana" | null {
  return source === "alertmanager" || source === "grafana" ? source : null;
}

export function silenceRequest(source: "alertmanager" | "grafana", fingerprint: string, params: Record<string, string>): ActionRequest {
  return { kind: `${source}.silence` as ActionKind, target: fingerprint, params };
}

export function expireRequest(
  source: "alertmanager" | "grafana",
  silenceId: string,
  sourceName: string | null = null,
): ActionRequest {
  return {
    kind: `${source}.expire_silence` as ActionKind,
    target: silenceId,
    params: sourceName ? { source: sourceName } : {},
  };
}

/** The configured source an alert came from (`details.alertmanager` or `details.grafana`). */
export function sourceNameOf(details: JsonValue, source: "alertmanager" | "grafana"): string | null {
  return str(obj(details)?.[source]);
}

/** Open pages on the alert's service, newest first: what a silence can be tied to. */
export function tiePages(entries: TimelineEntry[], service: string | null): TimelineEntry[] {
  if (!service) return [];
  return entries
    .filter((e) => e.kind === "page" && e.source === "pagerduty" && e.service === service && e.status !== "resolved")
    .sort((a, b) => (a.started_at < b.started_at ? 1 : -1));
}
