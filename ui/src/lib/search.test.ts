import { afterEach, describe, expect, it, vi } from "vitest";
import type { SearchHit } from "./bindings";
import { kindLabel } from "./timeline";
import {
  LatestOnly,
  buildQuery,
  countLabel,
  debouncer,
  emptyForm,
  groupByDay,
  parseSnippet,
  SEARCH_KINDS,
  servicesSeen,
  toggled,
  type SearchForm,
} from "./search";

const NOW = "2026-05-04T09:30:00Z";

function form(over: Partial<SearchForm> = {}): SearchForm {
  return { ...emptyForm(), ...over };
}

function hit(id: string, started_at: string, service: string | null = null, snippet = ""): SearchHit {
  return {
    entry: {
      id, started_at, service, source: "pagerduty", kind: "page", severity: "critical", status: "resolved",
      title: id, url: null, ended_at: null, external_id: id, details: null,
    },
    snippet,
    field: snippet === "" ? "" : "body",
  };
}

describe("buildQuery", () => {
  it("waits for words or a filter", () => {
    expect(buildQuery(emptyForm(), NOW)).toBeNull();
    expect(buildQuery(form({ text: "   " }), NOW)).toBeNull();
    expect(buildQuery(form({ service: "  " }), NOW)).toBeNull();
  });

  it("sends the words as typed, and blank text as empty", () => {
    expect(buildQuery(form({ text: "stop-gap replicas" }), NOW)).toEqual({
      text: "stop-gap replicas", sources: [], services: [], severities: [], kinds: [],
      since: null, until: null, limit: 200,
    });
    expect(buildQuery(form({ text: "  ", severities: ["critical"] }), NOW)?.text).toBe("");
  });

  it("counts the window back from the cockpit's now", () => {
    const since = (window: SearchForm["window"]) => buildQuery(form({ text: "x", window }), NOW)?.since;
    expect(since("any")).toBeNull();
    expect(since("24h")).toBe("2026-05-03T09:30:00.000Z");
    expect(since("7d")).toBe("2026-04-27T09:30:00.000Z");
    expect(since("30d")).toBe("2026-04-04T09:30:00.000Z");
    expect(since("1y")).toBe("2025-05-04T09:30:00.000Z");
    // A window alone is a filter: it lists what started in it.
    expect(buildQuery(form({ window: "24h" }), NOW)?.since).toBe("2026-05-03T09:30:00.000Z");
  });

  it("carries the filters, the service trimmed, and copies the lists", () => {
    const f = form({ sources: ["pagerduty"], severities: ["warning"], kinds: ["ci_run", "page"], service: " payments-api " });
    const q = buildQuery(f, NOW, 50);
    expect(q).toMatchObject({ text: "", sources: ["pagerduty"], services: ["payments-api"], severities: ["warning"], kinds: ["ci_run", "page"], limit: 50 });
    q?.kinds.push("node");
    expect(f.kinds).toEqual(["ci_run", "page"]);
  });

  it("toggles a filter value", () => {
    expect(toggled(["a"], "b")).toEqual(["a", "b"]);
    expect(toggled(["a", "b"], "a")).toEqual(["b"]);
  });
});

describe("parseSnippet", () => {
  const marks = (s: string, q = "") => parseSnippet(s, q).filter((x) => x.mark).map((x) => x.text);
  const text = (s: string, q = "") => parseSnippet(s, q).map((x) => x.text).join("");

  it("splits marked words from plain text", () => {
    expect(parseSnippet("…to 6 replicas as a [stop-gap]. Note added…", "stop-gap")).toEqual([
      { text: "…to 6 replicas as a ", mark: false },
      { text: "stop-gap", mark: true },
      { text: ". Note added…", mark: false },
    ]);
    expect(parseSnippet("[pay] and [payments]", "pay")).toEqual([
      { text: "pay", mark: true },
      { text: " and ", mark: false },
      { text: "payments", mark: true },
    ]);
    expect(parseSnippet("", "x")).toEqual([]);
    expect(parseSnippet("no marks here")).toEqual([{ text: "no marks here", mark: false }]);
  });

  it("keeps unbalanced and empty brackets as text", () => {
    expect(parseSnippet("a [b c", "b")).toEqual([{ text: "a [b c", mark: false }]);
    expect(parseSnippet("a] b", "a")).toEqual([{ text: "a] b", mark: false }]);
    expect(parseSnippet("x [] y ]", "x")).toEqual([{ text: "x [] y ]", mark: false }]);
    expect(marks("] [db] [", "db")).toEqual(["db"]);
    expect(text("] [db] [", "db")).toBe("] db [");
  });

  it("marks the innermost pair of nested brackets", () => {
    expect(parseSnippet("[[payments]]", "payments")).toEqual([
      { text: "[", mark: false },
      { text: "payments", mark: true },
      { text: "]", mark: false },
    ]);
    expect(parseSnippet("[a [b] c]")).toEqual([
      { text: "[a ", mark: false },
      { text: "b", mark: true },
      { text: " c]", mark: false },
    ]);
  });

  it("leaves the original text's brackets alone when they hold no searched word", () => {
    expect(parseSnippet("[FIRING:1] [payments] down", "payments")).toEqual([
      { text: "[FIRING:1] ", mark: false },
      { text: "payments", mark: true },
      { text: " down", mark: false },
    ]);
    // The match inside an original bracket: the outer pair is text.
    expect(parseSnippet("[[FIRING]:1] pool", "firing")).toEqual([
      { text: "[", mark: false },
      { text: "FIRING", mark: true },
      { text: ":1] pool", mark: false },
    ]);
    // Case and accents fold as the index folds them; the last word matches as a prefix.
    expect(marks("[Café] [CAFES]", "cafe")).toEqual(["Café", "CAFES"]);
    // Without the query, every innermost pair counts.
    expect(marks("[FIRING:1] [payments]")).toEqual(["FIRING:1", "payments"]);
  });

  it("never loses or adds a character other than the markers", () => {
    const s = "<script>alert(1)</script> [x] \"AND (\" [y";
    expect(text(s, "x")).toBe("<script>alert(1)</script> x \"AND (\" [y");
    expect(marks(s, "x")).toEqual(["x"]);
  });
});

describe("groupByDay", () => {
  const hits = [
    hit("a", "2026-05-04T08:52:00Z"),
    hit("b", "2026-05-04T00:30:00Z"),
    hit("c", "2026-05-03T23:30:00Z"),
    hit("d", "2026-04-29T12:00:00Z"),
  ];

  it("groups newest first under local day headings", () => {
    const g = groupByDay(hits, "UTC", "2026-05-04");
    expect(g.map((x) => [x.day, x.heading, x.hits.map((h) => h.entry.id)])).toEqual([
      ["2026-05-04", "Today", ["a", "b"]],
      ["2026-05-03", "Yesterday", ["c"]],
      ["2026-04-29", "Wednesday 29 April 2026", ["d"]],
    ]);
  });

  it("uses the given timezone, not the machine's", () => {
    // 00:30 UTC is still the 3rd in New York (UTC-4); 23:30 UTC is already the 4th in Tokyo.
    const ny = groupByDay(hits, "America/New_York", "2026-05-04");
    expect(ny.map((x) => [x.day, x.hits.map((h) => h.entry.id)])).toEqual([
      ["2026-05-04", ["a"]],
      ["2026-05-03", ["b", "c"]],
      ["2026-04-29", ["d"]],
    ]);
    const tokyo = groupByDay(hits, "Asia/Tokyo", "2026-05-04");
    expect(tokyo.map((x) => [x.day, x.hits.map((h) => h.entry.id)])).toEqual([
      ["2026-05-04", ["a", "b", "c"]],
      ["2026-04-29", ["d"]],
    ]);
  });

  it("shows a day once even when the list is out of order", () => {
    const g = groupByDay([hit("x", "2026-05-04T08:00:00Z"), hit("y", "2026-05-03T08:00:00Z"), hit("z", "2026-05-04T07:00:00Z")], "UTC", "2026-05-04");
    expect(g.map((x) => x.hits.map((h) => h.entry.id))).toEqual([["x", "z"], ["y"]]);
    expect(groupByDay([], "UTC", "2026-05-04")).toEqual([]);
  });
});

describe("servicesSeen and countLabel", () => {
  it("collects services once, sorted", () => {
    expect(servicesSeen(["orders-db"], [hit("a", NOW, "payments-api"), hit("b", NOW, null), hit("c", NOW, "orders-db")])).toEqual([
      "orders-db",
      "payments-api",
    ]);
  });

  it("says how many matched, and when the list was cut", () => {
    expect(countLabel(0)).toBe("no matches");
    expect(countLabel(1)).toBe("1 match");
    expect(countLabel(12)).toBe("12 matches");
    expect(countLabel(200, 200)).toMatch(/^the newest 200 matches/);
  });

  it("has a word for every kind", () => {
    for (const k of SEARCH_KINDS) expect(kindLabel[k]).toBeTruthy();
  });
});

describe("LatestOnly", () => {
  function deferred<T>() {
    let resolve!: (v: T) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  }

  it("drops an older answer that arrives after a newer request began", async () => {
    const latest = new LatestOnly();
    const old = deferred<string>();
    const fresh = deferred<string>();
    const a = latest.run(() => old.promise);
    const b = latest.run(() => fresh.promise);
    expect(latest.pending).toBe(true);
    fresh.resolve("stop-gap");
    expect(await b).toEqual({ kind: "value", value: "stop-gap" });
    expect(latest.pending).toBe(false);
    old.resolve("stop");
    expect(await a).toEqual({ kind: "stale" });
    expect(latest.pending).toBe(false);
  });

  it("drops an older answer that arrives first, and older errors", async () => {
    const latest = new LatestOnly();
    const old = deferred<string>();
    const fresh = deferred<string>();
    const a = latest.run(() => old.promise);
    const b = latest.run(() => fresh.promise);
    old.reject({ code: "refused", message: "old" });
    expect(await a).toEqual({ kind: "stale" });
    expect(latest.pending).toBe(true);
    fresh.reject({ code: "refused", message: "no words and no filter" });
    expect(await b).toEqual({ kind: "error", error: { code: "refused", message: "no words and no filter" } });
    expect(latest.pending).toBe(false);
  });

  it("drops what is in flight when cancelled", async () => {
    const latest = new LatestOnly();
    const d = deferred<number>();
    const a = latest.run(() => d.promise);
    latest.cancel();
    expect(latest.pending).toBe(false);
    d.resolve(1);
    expect(await a).toEqual({ kind: "stale" });
  });

  it("reports a request that throws at once as its error", async () => {
    const latest = new LatestOnly();
    expect(
      await latest.run(() => {
        throw new Error("boom");
      }),
    ).toMatchObject({ kind: "error" });
  });
});

describe("debouncer", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("runs once after the last keystroke, at once on Enter, never after cancel", () => {
    vi.useFakeTimers();
    const run = vi.fn();
    const d = debouncer(200, run);
    d.schedule();
    vi.advanceTimersByTime(150);
    d.schedule();
    vi.advanceTimersByTime(150);
    expect(run).not.toHaveBeenCalled();
    vi.advanceTimersByTime(50);
    expect(run).toHaveBeenCalledTimes(1);
    d.schedule();
    d.now();
    expect(run).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(500);
    expect(run).toHaveBeenCalledTimes(2);
    d.schedule();
    d.cancel();
    vi.advanceTimersByTime(500);
    expect(run).toHaveBeenCalledTimes(2);
  });
});
