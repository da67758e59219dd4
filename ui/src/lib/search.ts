// The Search view's logic, pure and unit-tested: the query built from the form, the snippet's
// marks as text segments (never HTML), hits grouped by local day, the services seen, and the
// guards that keep a search-as-you-type honest (debounce, stale answers dropped).
import type { EntryKind, SearchHit, SearchQuery, Severity, SourceKind } from "./bindings";
import { dayHeading, dayOf } from "./days";

export const SEARCH_SOURCES: readonly SourceKind[] = [
  "pagerduty",
  "alertmanager",
  "grafana",
  "prometheus",
  "github",
  "kubernetes",
  "opsdeck",
];
export const SEARCH_SEVERITIES: readonly Severity[] = ["critical", "warning", "info"];
export const SEARCH_KINDS: readonly EntryKind[] = [
  "page",
  "alert",
  "annotation",
  "ci_run",
  "deployment",
  "rollout",
  "scale",
  "k8s_event",
  "node",
  "action",
  "note",
  "runbook_step",
];

/** How far back a search looks. */
export type SearchWindow = "any" | "24h" | "7d" | "30d" | "1y";

export const SEARCH_WINDOWS: readonly { value: SearchWindow; label: string; hours: number | null }[] = [
  { value: "any", label: "Any time", hours: null },
  { value: "24h", label: "Last 24 hours", hours: 24 },
  { value: "7d", label: "Last 7 days", hours: 7 * 24 },
  { value: "30d", label: "Last 30 days", hours: 30 * 24 },
  { value: "1y", label: "Last year", hours: 365 * 24 },
];

/** What the Search view's form holds. */
export interface SearchForm {
  text: string;
  sources: SourceKind[];
  severities: Severity[];
  kinds: EntryKind[];
  /** One service, exactly as entries name it; empty: any. */
  service: string;
  window: SearchWindow;
}

export function emptyForm(): SearchForm {
  return { text: "", sources: [], severities: [], kinds: [], service: "", window: "any" };
}

/** Hits asked for per search (the backend allows up to 1000). */
export const SEARCH_LIMIT = 200;

/**
 * The backend's query for the form, with the window counted back from `nowIso` (the cockpit's
 * now, simulated under the simulator). Null when there is nothing to search for yet: no words
 * and no filter (the backend would refuse it; the view just waits for input).
 */
export function buildQuery(form: SearchForm, nowIso: string, limit = SEARCH_LIMIT): SearchQuery | null {
  const text = form.text.trim() === "" ? "" : form.text;
  const service = form.service.trim();
  const hours = SEARCH_WINDOWS.find((w) => w.value === form.window)?.hours ?? null;
  const now = Date.parse(nowIso);
  const since = hours === null || Number.isNaN(now) ? null : new Date(now - hours * 3_600_000).toISOString();
  const query: SearchQuery = {
    text,
    sources: [...form.sources],
    services: service === "" ? [] : [service],
    severities: [...form.severities],
    kinds: [...form.kinds],
    since,
    until: null,
    limit,
  };
  const filtered =
    query.sources.length + query.services.length + query.severities.length + query.kinds.length > 0 || since !== null;
  return text === "" && !filtered ? null : query;
}

/** `list` with `value` added, or removed when it was there (a filter chip pressed). */
export function toggled<T>(list: readonly T[], value: T): T[] {
  return list.includes(value) ? list.filter((v) => v !== value) : [...list, value];
}

/** A piece of a snippet: plain text, or words the search matched. */
export interface Segment {
  text: string;
  mark: boolean;
}

/** Case- and accent-folded words of `s`, as the index's tokenizer splits them. */
function words(s: string): string[] {
  return s
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== "");
}

/**
 * The snippet as text segments. The backend puts `[` and `]` around matched words but leaves
 * brackets of the original text as they are, so: a mark is an innermost `[…]` pair (no bracket
 * inside) with something in it; with the query's `text`, its words must also be (the start of)
 * one of the query's words, so `[FIRING:1]` from a title stays text when the search was for
 * `payments`. Any other bracket — unbalanced, empty, the outer ones of a nested pair — is text.
 */
export function parseSnippet(snippet: string, queryText = ""): Segment[] {
  const wanted = words(queryText);
  const isMatch = (inner: string): boolean => {
    if (inner.trim() === "") return false;
    if (wanted.length === 0) return true;
    return words(inner).some((w) => wanted.some((q) => w === q || w.startsWith(q)));
  };
  const out: Segment[] = [];
  const push = (text: string, mark: boolean) => {
    if (text === "") return;
    const last = out[out.length - 1];
    if (last !== undefined && !last.mark && !mark) last.text += text;
    else out.push({ text, mark });
  };
  let done = 0; // everything before this index is in `out`
  let open = -1; // the innermost `[` still unclosed since `done`
  for (let i = 0; i < snippet.length; i++) {
    const c = snippet[i];
    if (c === "[") open = i;
    else if (c === "]" && open !== -1) {
      const inner = snippet.slice(open + 1, i);
      if (isMatch(inner)) {
        push(snippet.slice(done, open), false);
        push(inner, true);
        done = i + 1;
      }
      open = -1;
    }
  }
  push(snippet.slice(done), false);
  return out;
}

/** Hits of one local day, newest first, under its heading. */
export interface DayGroup {
  day: string;
  heading: string;
  hits: SearchHit[];
}

/**
 * Hits grouped by the local day (in `tz`) they started on, keeping their order (newest first
 * from the backend); a day appears once even if the list is not in order. Headings read
 * "Today", "Yesterday", else the date in words.
 */
export function groupByDay(hits: readonly SearchHit[], tz: string, today: string): DayGroup[] {
  const groups = new Map<string, DayGroup>();
  for (const h of hits) {
    const day = dayOf(h.entry.started_at, tz);
    let g = groups.get(day);
    if (g === undefined) {
      g = { day, heading: dayHeading(day, today), hits: [] };
      groups.set(day, g);
    }
    g.hits.push(h);
  }
  return [...groups.values()];
}

/** The services named so far (`seen`) and by `hits`, sorted, each once. */
export function servicesSeen(seen: readonly string[], hits: readonly SearchHit[]): string[] {
  const all = new Set(seen);
  for (const h of hits) if (h.entry.service) all.add(h.entry.service);
  return [...all].sort((a, b) => a.localeCompare(b));
}

/** The count line: "no matches", "1 match", "12 matches", or that the list was cut. */
export function countLabel(found: number, limit = SEARCH_LIMIT): string {
  if (found === 0) return "no matches";
  if (found >= limit) return `the newest ${limit} matches (narrow the search to see older ones)`;
  return found === 1 ? "1 match" : `${found} matches`;
}

/** What a request guarded by `LatestOnly` ended with. */
export type Answer<T> = { kind: "value"; value: T } | { kind: "error"; error: unknown } | { kind: "stale" };

/**
 * Keeps only the newest request's answer: an older search answering after a newer one began
 * (or after `cancel`) is reported `stale` and must be dropped. Never rejects.
 */
export class LatestOnly {
  private issued = 0;
  private settled = 0;

  /** Whether the newest request has not answered yet. */
  get pending(): boolean {
    return this.settled < this.issued;
  }

  async run<T>(request: () => Promise<T>): Promise<Answer<T>> {
    const ticket = ++this.issued;
    let answer: Answer<T>;
    try {
      answer = { kind: "value", value: await request() };
    } catch (error) {
      answer = { kind: "error", error };
    }
    if (ticket !== this.issued) return { kind: "stale" };
    this.settled = ticket;
    return answer;
  }

  /** Whatever is in flight is no longer wanted. */
  cancel(): void {
    this.issued += 1;
    this.settled = this.issued;
  }
}

/**
 * `run` called `ms` after the last `schedule()`; `now()` runs it at once (Enter), `cancel()`
 * forgets a scheduled run.
 */
export function debouncer(ms: number, run: () => void) {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const cancel = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  return {
    schedule() {
      cancel();
      timer = setTimeout(() => {
        timer = null;
        run();
      }, ms);
    },
    now() {
      cancel();
      run();
    },
    cancel,
  };
}
