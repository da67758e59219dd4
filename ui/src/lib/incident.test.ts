import { describe, expect, it } from "vitest";
import type { JsonValue, TimelineEntry } from "./bindings";
import { flattenDetails, logLabel, logText, notesOf, oldestFirst, pageDetails, relatedActions, type LogEntry } from "./incident";

const details: JsonValue = {
  incident_number: 1,
  urgency: "high",
  pagerduty_service: { id: "PPAYAPI", name: "payments-api" },
  escalation_policy: "Payments Primary",
  assignees: [{ id: "PSAMOKA", name: "Sam Okafor" }, { id: "PX" }, "junk"],
  assigned_to_me: true,
  acknowledged_at: "2026-11-22T05:52:00Z",
  resolved_at: null,
  // Newest first, as PagerDuty lists them; the trigger and its assignment share a second.
  log_entries: [
    { id: "R4", type: "annotate", at: "2026-11-22T05:55:00Z", agent: "Sam Okafor", summary: null, note: "<b>rolling back</b>" },
    { id: "R3", type: "acknowledge", at: "2026-11-22T05:52:00Z", agent: "Sam Okafor", summary: null, note: null },
    { id: "R2", type: "assign", at: "2026-11-22T05:47:00Z", agent: null, summary: "Assigned to Sam Okafor", note: null },
    { id: "R1", type: "trigger", at: "2026-11-22T05:47:00Z", agent: "payments-api", summary: "Triggered", note: null },
  ],
};

describe("pageDetails", () => {
  it("reads the page details and orders the log oldest first, ties in the vendor's order", () => {
    const d = pageDetails(details);
    expect(d.incidentNumber).toBe(1);
    expect(d.urgency).toBe("high");
    expect(d.service).toBe("payments-api");
    expect(d.escalationPolicy).toBe("Payments Primary");
    expect(d.assignees).toEqual([
      { id: "PSAMOKA", name: "Sam Okafor" },
      { id: "PX", name: "PX" },
    ]);
    expect(d.assignedToMe).toBe(true);
    expect(d.resolvedAt).toBeNull();
    expect(d.log.map((e) => e.id)).toEqual(["R1", "R2", "R3", "R4"]);
  });
  it("survives details that are missing or mistyped", () => {
    const d = pageDetails({ urgency: "extreme", assignees: "nobody", log_entries: [null, 3], assigned_to_me: "yes" });
    expect(d).toMatchObject({ urgency: null, assignees: [], log: [], assignedToMe: false, incidentNumber: null });
    expect(pageDetails(null).log).toEqual([]);
  });
});

function log(id: string, at: string | null, type = "annotate"): LogEntry {
  return { id, type, at, agent: null, summary: null, note: null };
}

describe("oldestFirst", () => {
  it("keeps an already oldest-first list as it is", () => {
    const l = [log("a", "2026-11-22T05:00:00Z"), log("b", "2026-11-22T05:00:00Z"), log("c", "2026-11-22T06:00:00Z")];
    expect(oldestFirst(l).map((e) => e.id)).toEqual(["a", "b", "c"]);
  });
  it("puts entries without a time last", () => {
    const l = [log("x", null), log("b", "2026-11-22T06:00:00Z"), log("a", "2026-11-22T05:00:00Z")];
    expect(oldestFirst(l).map((e) => e.id)).toEqual(["a", "b", "x"]);
  });
});

describe("notes and log text", () => {
  const d = pageDetails(details);
  it("lists the annotate entries with their note text, kept as text", () => {
    expect(notesOf(d.log).map((n) => n.note)).toEqual(["<b>rolling back</b>"]);
    expect(logText(d.log[3])).toBe("Sam Okafor — “<b>rolling back</b>”");
    expect(logText(d.log[1])).toBe("Assigned to Sam Okafor");
  });
  it("labels known types with a glyph and a word, unknown ones by name", () => {
    expect(logLabel("acknowledge")).toEqual({ glyph: "✓", word: "acknowledged" });
    expect(logLabel("urgency_change")).toEqual({ glyph: "•", word: "urgency change" });
    expect(logLabel("constructor").word).toBe("constructor");
  });
});

function entry(over: Partial<TimelineEntry>): TimelineEntry {
  return {
    id: "x", source: "opsdeck", kind: "action", severity: "info", status: "succeeded", title: "t", service: null,
    url: null, started_at: "2026-11-22T06:00:00Z", ended_at: null, external_id: "x", details: null, ...over,
  };
}

describe("relatedActions", () => {
  it("keeps opsdeck actions aimed at the incident, oldest first", () => {
    const es = [
      entry({ id: "late", started_at: "2026-11-22T07:00:00Z", details: { target_id: "Q1" } }),
      entry({ id: "early", started_at: "2026-11-22T06:00:00Z", details: { target_id: "Q1" } }),
      entry({ id: "other", details: { target_id: "Q2" } }),
      entry({ id: "page", source: "pagerduty", kind: "page", details: { target_id: "Q1" } }),
      entry({ id: "none", details: null }),
    ];
    expect(relatedActions(es, "Q1").map((e) => e.id)).toEqual(["early", "late"]);
  });
});

describe("flattenDetails", () => {
  it("renders nested details as dotted key/value text", () => {
    expect(flattenDetails({ a: 1, b: { c: "x", d: [true, null] }, e: [], f: {} })).toEqual([
      { key: "a", value: "1" },
      { key: "b.c", value: "x" },
      { key: "b.d[0]", value: "true" },
      { key: "b.d[1]", value: "—" },
      { key: "e", value: "[]" },
      { key: "f", value: "{}" },
    ]);
  });
  it("stops at the limit and names a bare value", () => {
    expect(flattenDetails({ a: 1, b: 2, c: 3 }, 2)).toHaveLength(2);
    expect(flattenDetails("plain")).toEqual([{ key: "value", value: "plain" }]);
    expect(flattenDetails(null)).toEqual([{ key: "value", value: "—" }]);
  });
});
