import { describe, expect, it } from "vitest";
import type { OnCallShift, OnCallSummary } from "./bindings";
import { oncallDetails, oncallLine, when } from "./oncall";

const shift = (name: string, policy: string, start: string | null, end: string | null, level = 1): OnCallShift => ({
  user_name: name,
  user_email: `${name.toLowerCase()}@example.test`,
  schedule: policy,
  escalation_policy: policy,
  escalation_level: level,
  start,
  end,
});

const now = "2026-05-04T06:00:00Z";

describe("on-call line", () => {
  it("says nothing before the schedule was fetched", () => {
    expect(oncallLine(null, now, "UTC")).toBeNull();
    expect(oncallLine({ current: null, next: null, now: [], fetched_at: null }, now, "UTC")).toBeNull();
  });

  it("names me and my shift's end, with the weekday when it ends another day", () => {
    const mine = shift("Sam", "Payments Primary", "2026-05-04T05:00:00Z", "2026-05-05T09:00:00Z");
    const s: OnCallSummary = { current: mine, next: null, now: [mine], fetched_at: now };
    expect(oncallLine(s, now, "UTC")).toBe("on call: Sam (Payments Primary) until Tue 09:00");
    const sameDay: OnCallSummary = { ...s, current: { ...mine, end: "2026-05-04T17:00:00Z" } };
    expect(oncallLine(sameDay, now, "UTC")).toBe("on call: Sam (Payments Primary) until 17:00");
    const forever: OnCallSummary = { ...s, current: { ...mine, end: null } };
    expect(oncallLine(forever, now, "UTC")).toBe("on call: Sam (Payments Primary)");
  });

  it("off shift: who holds my policies, and my next shift", () => {
    const s: OnCallSummary = {
      current: null,
      next: shift("Sam", "Payments Primary", "2026-05-04T17:00:00Z", "2026-05-05T09:00:00Z"),
      now: [shift("Priya", "Payments Primary", "2026-05-04T05:00:00Z", "2026-05-04T17:00:00Z")],
      fetched_at: now,
    };
    expect(oncallLine(s, now, "UTC")).toBe("on call: Priya (Payments Primary) · your next shift: 17:00");
    expect(oncallLine({ ...s, now: [], next: null }, now, "UTC")).toBe("you are not on call");
  });

  it("details list every level and when it was fetched", () => {
    const s: OnCallSummary = {
      current: null,
      next: null,
      now: [
        shift("Sam", "Payments", "2026-05-04T05:00:00Z", "2026-05-04T09:00:00Z", 1),
        shift("Priya", "Payments", null, null, 2),
      ],
      fetched_at: "2026-05-04T05:58:00Z",
    };
    expect(oncallDetails(s, now, "UTC")).toBe("Payments level 1: Sam until 09:00\nPayments level 2: Priya\nfetched 05:58");
  });

  it("reads times in the cockpit's zone", () => {
    expect(when("2026-05-04T22:30:00Z", now, "Europe/Berlin")).toBe("Tue 00:30");
  });
});
