// The Shifts view, the handoff banner and the morning read, as pure decisions: how figures and
// spans read, how open items group, when the banner shows, and how the handoff's draft survives
// a data refresh. No DOM, no IPC; unit-tested.
import type { HandoffReport, MorningRead, OpenItem, OpenItemKind, Shift } from "./bindings";
import { when } from "./oncall";

/** "45s", "5m 0s", "1h 28m", "2d 3h"; "—" when there is nothing to measure. */
export function humanDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return "—";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

/** Where a shift comes from, in one word or name: its schedule, or "manual". */
export function shiftLabel(s: Pick<Shift, "origin" | "schedule" | "escalation_policy">): string {
  if (s.origin === "manual") return "manual";
  return s.schedule ?? s.escalation_policy ?? "on call";
}

/** Whether a shift covers `now` (a manual shift without an end runs until stopped). */
export function shiftInProgress(s: Pick<Shift, "start" | "end">, now: string): boolean {
  const t = Date.parse(now);
  return Date.parse(s.start) <= t && (s.end === null || t < Date.parse(s.end));
}

/** A local date and time: "Mon 30 Nov 05:00". */
export function dateTime(iso: string, tz: string): string {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: tz,
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(new Date(iso));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("weekday")} ${get("day")} ${get("month")} ${get("hour")}:${get("minute")}`;
}

/** "Mon 30 Nov 05:00 → Tue 1 Dec 09:00" (the end's date only when it is another day). */
export function shiftSpan(start: string, end: string | null, tz: string): string {
  const from = dateTime(start, tz);
  if (end === null) return `${from} → (running)`;
  const to = dateTime(end, tz);
  const sameDay = from.slice(0, from.lastIndexOf(" ")) === to.slice(0, to.lastIndexOf(" "));
  return `${from} → ${sameDay ? to.slice(to.lastIndexOf(" ") + 1) : to}`;
}

/** The running shift started by hand, if any (at most one runs). */
export function runningManual(shifts: readonly Shift[]): Shift | null {
  return shifts.find((s) => s.origin === "manual" && s.end === null) ?? null;
}

const KIND_ORDER: OpenItemKind[] = ["incident", "silence", "ci_failure", "workload", "node"];

export const openItemHeading: Record<OpenItemKind, string> = {
  incident: "Open incidents",
  silence: "Active silences",
  ci_failure: "Failed CI on main",
  workload: "Unhealthy workloads",
  node: "Nodes not ready",
};

/** A glyph per kind, always beside a word. */
export const openItemGlyph: Record<OpenItemKind, string> = {
  incident: "▲",
  silence: "◌",
  ci_failure: "✕",
  workload: "◆",
  node: "◇",
};

export interface OpenItemGroup {
  kind: OpenItemKind;
  heading: string;
  items: OpenItem[];
}

/** Open items by kind (incidents first, then silences, CI, workloads, nodes), oldest first in each. */
export function groupOpenItems(items: readonly OpenItem[]): OpenItemGroup[] {
  const groups: OpenItemGroup[] = [];
  for (const kind of KIND_ORDER) {
    const of = items.filter((i) => i.kind === kind);
    if (of.length === 0) continue;
    of.sort((a, b) => Date.parse(a.since) - Date.parse(b.since));
    groups.push({ kind, heading: openItemHeading[kind], items: of });
  }
  return groups;
}

export interface HandoffBanner {
  shiftId: string;
  /** "09:00", or "Tue 09:00" when the end is not on today's local date. */
  endsAt: string;
  text: string;
}

/**
 * The banner offering the handoff: when the backend says it is due (the last hour of a shift
 * that has an end) and the engineer did not dismiss it for this shift in this session.
 */
export function handoffBanner(
  read: MorningRead | null,
  dismissed: ReadonlySet<string>,
  tz: string,
): HandoffBanner | null {
  if (read === null || !read.handoff_due || read.shift === null || read.shift.end === null) return null;
  if (dismissed.has(read.shift.id)) return null;
  const endsAt = when(read.shift.end, read.now, tz);
  return { shiftId: read.shift.id, endsAt, text: `Your shift ends at ${endsAt} — review the handoff` };
}

/** What the engineer writes into a handoff, as edited in the view. */
export interface Draft {
  summary: string;
  watch: string[];
}

/** A draft beside the last values the backend holds for it. */
export interface DraftState {
  draft: Draft;
  saved: Draft;
}

export function draftOf(r: Pick<HandoffReport, "summary" | "watch_next">): Draft {
  return { summary: r.summary ?? "", watch: [...r.watch_next] };
}

/** The draft as the backend would keep it: one-line text, no empty items. */
export function tidy(d: Draft): Draft {
  const line = (s: string) => s.split(/\s+/).filter((w) => w !== "").join(" ");
  return { summary: line(d.summary), watch: d.watch.map(line).filter((w) => w !== "") };
}

export function sameDraft(a: Draft, b: Draft): boolean {
  const x = tidy(a);
  const y = tidy(b);
  return x.summary === y.summary && x.watch.length === y.watch.length && x.watch.every((w, i) => w === y.watch[i]);
}

export function isDirty(s: DraftState): boolean {
  return !sameDraft(s.draft, s.saved);
}

/**
 * The report was read again (a sync, another window, a save): an untouched draft follows the
 * backend; one with unsaved edits keeps every typed character.
 */
export function refreshDraft(s: DraftState | undefined, incoming: Draft): DraftState {
  if (s === undefined || !isDirty(s)) return { draft: { summary: incoming.summary, watch: [...incoming.watch] }, saved: incoming };
  return { draft: s.draft, saved: incoming };
}

/**
 * A save finished: `sent` is what was sent, `stored` what the backend kept. The draft takes the
 * stored values unless it was edited again while the save was on its way.
 */
export function afterSave(s: DraftState, sent: Draft, stored: Draft): DraftState {
  const untouched = s.draft.summary === sent.summary && s.draft.watch.join("\n") === sent.watch.join("\n");
  return untouched ? { draft: { summary: stored.summary, watch: [...stored.watch] }, saved: stored } : { draft: s.draft, saved: stored };
}

/** The figures' first line: "3 pages: 2 high, 1 low, 1 out of hours". */
export function pagesLine(f: HandoffReport["figures"]): string {
  const noun = f.pages === 1 ? "page" : "pages";
  if (f.pages === 0) return "0 pages";
  return `${f.pages} ${noun}: ${f.high_urgency} high, ${f.low_urgency} low, ${f.out_of_hours} out of hours`;
}
