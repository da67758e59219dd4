import { describe, expect, it } from "vitest";
import { noteParams, pageActions, pageRequest, reassignParams, snoozeParams } from "./actions";

describe("pageActions", () => {
  it("acknowledges only a triggered page and snoozes only an acknowledged one", () => {
    expect(pageActions("triggered")).toEqual(["acknowledge", "resolve", "reassign", "note"]);
    expect(pageActions("acknowledged")).toEqual(["resolve", "reassign", "snooze", "note"]);
  });
  it("offers only a note on a resolved page", () => {
    expect(pageActions("resolved")).toEqual(["note"]);
  });
});

describe("pageRequest", () => {
  it("names the PagerDuty action and the incident", () => {
    expect(pageRequest("snooze", "Q0PAY0001", { duration: "1h" })).toEqual({
      kind: "pagerduty.snooze",
      target: "Q0PAY0001",
      params: { duration: "1h" },
    });
    expect(pageRequest("acknowledge", "Q1")).toEqual({ kind: "pagerduty.acknowledge", target: "Q1", params: {} });
  });
});

describe("reassignParams", () => {
  it("sends an email as `to` and a number as `level`", () => {
    expect(reassignParams(" sam@example.com ")).toEqual({ ok: true, params: { to: "sam@example.com" } });
    expect(reassignParams("2")).toEqual({ ok: true, params: { level: "2" } });
  });
  it("refuses anything else", () => {
    expect(reassignParams("0").ok).toBe(false);
    expect(reassignParams("Sam Okafor").ok).toBe(false);
    expect(reassignParams("").ok).toBe(false);
  });
});

describe("snoozeParams and noteParams", () => {
  it("takes humantime-like durations", () => {
    expect(snoozeParams("15m")).toEqual({ ok: true, params: { duration: "15m" } });
    expect(snoozeParams("1h 30m")).toEqual({ ok: true, params: { duration: "1h 30m" } });
    expect(snoozeParams("soon").ok).toBe(false);
    expect(snoozeParams("").ok).toBe(false);
  });
  it("needs a note's text", () => {
    expect(noteParams("  rolled back  ")).toEqual({ ok: true, params: { text: "rolled back" } });
    expect(noteParams("   ").ok).toBe(false);
  });
});
