import { describe, expect, it } from "vitest";
import type { RunbookRun, RunStep } from "./bindings";
import { firstOpen, moveStep, progressWords, reasonWords, runKey, searchRunbooks } from "./runbooks";

function step(index: number, state: RunStep["state"]): RunStep {
  return {
    index,
    state,
    at: null,
    by: null,
    skip_reason: null,
    notes: [],
    action_id: null,
    action_ok: null,
    action_result: null,
    suggestion: null,
  };
}

function run(over: Partial<RunbookRun> = {}): RunbookRun {
  return {
    id: "run-1",
    runbook: "api-latency",
    title: "API latency",
    entry_id: null,
    started_at: "2026-05-04T05:50:00Z",
    started_by: null,
    ended_at: null,
    steps: [step(0, "done"), step(1, "skipped"), step(2, "open")],
    done: 1,
    skipped: 1,
    total: 3,
    ...over,
  };
}

describe("run words", () => {
  it("says progress, skips and an end", () => {
    expect(progressWords(run())).toBe("1 of 3 done, 1 skipped");
    expect(progressWords(run({ skipped: 0, ended_at: "2026-05-04T06:30:00Z" }))).toBe("1 of 3 done (ended)");
  });
  it("says why a runbook is linked", () => {
    expect(reasonWords("alias")).toBe("named by the alert's runbook URL");
    expect(reasonWords("service")).toBe("for this service");
    expect(reasonWords("other")).toBe("other");
  });
});

describe("run keys", () => {
  const key = (k: string, ctrlKey = false) => runKey({ key: k, ctrlKey, metaKey: false, altKey: false });
  it("maps j/k/x/Enter/n", () => {
    expect(key("j")).toBe("next");
    expect(key("k")).toBe("prev");
    expect(key("x")).toBe("toggle");
    expect(key("Enter")).toBe("run");
    expect(key("n")).toBe("note");
    expect(key("q")).toBeNull();
    expect(key("j", true)).toBeNull();
  });
  it("moves within the run and starts at the first open step", () => {
    expect(moveStep(3, 2, 1)).toBe(2);
    expect(moveStep(3, 0, -1)).toBe(0);
    expect(moveStep(3, 1, 1)).toBe(2);
    expect(firstOpen(run().steps)).toBe(2);
    expect(firstOpen([step(0, "done")])).toBe(0);
  });
});

describe("searchRunbooks", () => {
  const books = [
    { slug: "api-latency", title: "API latency", services: ["payments-api"], alerts: ["APIResponseTimeCritical"], tags: ["slo"] },
    { slug: "db-performance", title: "Database performance", services: ["orders-db"], alerts: ["DBHighCPU"], tags: ["database"] },
  ];
  it("finds by any field, every word, any case", () => {
    expect(searchRunbooks(books, "").map((b) => b.slug)).toEqual(["api-latency", "db-performance"]);
    expect(searchRunbooks(books, "dbhigh").map((b) => b.slug)).toEqual(["db-performance"]);
    expect(searchRunbooks(books, "payments SLO").map((b) => b.slug)).toEqual(["api-latency"]);
    expect(searchRunbooks(books, "payments database")).toEqual([]);
  });
});
