import { describe, expect, it } from "vitest";
import type { SourceHealth, TimelineEntry } from "./bindings";
import { age, clockTime, groupByHour, healthHover, safeHttpUrl } from "./timeline";

function entry(id: string, started_at: string): TimelineEntry {
  return {
    id, started_at, source: "pagerduty", kind: "page", severity: "critical", status: "triggered",
    title: id, service: null, url: null, ended_at: null, external_id: id, details: null,
  };
}

describe("clockTime", () => {
  it("renders in the cockpit's timezone, not the machine's", () => {
    expect(clockTime("2026-11-22T05:47:00Z", "UTC")).toBe("05:47");
    expect(clockTime("2026-11-22T05:47:00Z", "Europe/Berlin")).toBe("06:47");
  });
});

describe("groupByHour", () => {
  const es = [entry("a", "2026-11-22T05:30:00Z"), entry("b", "2026-11-22T05:47:00Z"), entry("c", "2026-11-22T06:04:00Z")];
  it("groups consecutive entries by local hour in order", () => {
    const g = groupByHour(es, "UTC");
    expect(g.map((x) => [x.hour, x.entries.map((e) => e.id)])).toEqual([["05:00", ["a", "b"]], ["06:00", ["c"]]]);
  });
  it("can put the newest first", () => {
    const g = groupByHour(es, "UTC", true);
    expect(g.map((x) => x.entries.map((e) => e.id))).toEqual([["c"], ["b", "a"]]);
  });
});

describe("safeHttpUrl", () => {
  it("keeps http(s) and drops everything else", () => {
    expect(safeHttpUrl("https://acme.pagerduty.com/incidents/Q1")).toBe("https://acme.pagerduty.com/incidents/Q1");
    expect(safeHttpUrl("javascript:alert(1)")).toBeNull();
    expect(safeHttpUrl("not a url")).toBeNull();
    expect(safeHttpUrl(null)).toBeNull();
  });
});

describe("age", () => {
  it("counts from the cockpit's now", () => {
    expect(age("2026-11-22T05:59:30Z", "2026-11-22T06:00:00Z")).toBe("30s ago");
    expect(age("2026-11-22T05:50:00Z", "2026-11-22T06:00:00Z")).toBe("10 min ago");
    expect(age(null, "2026-11-22T06:00:00Z")).toBe("never");
  });
});

describe("healthHover", () => {
  const base: SourceHealth = {
    name: "pagerduty",
    kind: "pagerduty",
    state: "ok",
    last_attempt_at: "2026-11-22T05:59:58Z",
    last_success_at: "2026-11-22T05:59:58Z",
    last_error: null,
    last_error_at: null,
    message: "PagerDuty ok · 34 req/min of 96 allowed · 912/960 left at PagerDuty",
    requests_per_minute: 34,
    allowed_per_minute: 96,
    vendor_remaining: 912,
    vendor_limit: 960,
  };
  it("shows the budget line and the last sync", () => {
    expect(healthHover(base, "2026-11-22T06:00:00Z")).toBe(
      "pagerduty: PagerDuty ok · 34 req/min of 96 allowed · 912/960 left at PagerDuty — last success 2s ago",
    );
  });
  it("keeps the last error after a recovery, once", () => {
    const recovered = { ...base, last_error: "HTTP 503", last_error_at: "2026-11-22T05:58:00Z" };
    expect(healthHover(recovered, "2026-11-22T06:00:00Z")).toContain("last error: HTTP 503");
    const failing = { ...recovered, state: "error" as const, message: "HTTP 503" };
    expect(healthHover(failing, "2026-11-22T06:00:00Z")).toBe("pagerduty: HTTP 503 — last success 2s ago");
  });
  it("falls back to the state when there is no message", () => {
    expect(healthHover({ ...base, message: null }, "2026-11-22T06:00:00Z")).toMatch(/^pagerduty: ok — /);
  });
});
