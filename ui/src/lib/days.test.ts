import { describe, expect, it } from "vitest";
import { addDays, chooseDay, dayHeading, dayHours, dayOf, dayStart, isDay, stepDay } from "./days";

describe("calendar days", () => {
  it("step by calendar, across months, years, leap days and clock changes", () => {
    expect(addDays("2026-05-04", -1)).toBe("2026-05-03");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
    expect(addDays("2028-03-01", -1)).toBe("2028-02-29");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    // Europe's spring-forward (29 March 2026) and fall-back (25 October 2026) days.
    expect(addDays("2026-03-30", -1)).toBe("2026-03-29");
    expect(addDays("2026-03-29", -1)).toBe("2026-03-28");
    expect(addDays("2026-10-25", 1)).toBe("2026-10-26");
    expect(addDays("2026-10-24", 2)).toBe("2026-10-26");
  });

  it("checks what a date input gives", () => {
    expect(isDay("2026-02-28")).toBe(true);
    expect(isDay("2026-02-29")).toBe(false);
    expect(isDay("2026-2-28")).toBe(false);
    expect(isDay("")).toBe(false);
  });

  it("puts an instant on its local day, on both sides of a clock change", () => {
    // 23:30 UTC on 28 March is 00:30 CET on the 29th in Berlin; UTC itself says the 28th.
    expect(dayOf("2026-03-28T23:30:00Z", "Europe/Berlin")).toBe("2026-03-29");
    expect(dayOf("2026-03-28T23:30:00Z", "UTC")).toBe("2026-03-28");
    // 22:30 UTC on 25 October is 23:30 CET (after the fall-back): still the 25th.
    expect(dayOf("2026-10-25T22:30:00Z", "Europe/Berlin")).toBe("2026-10-25");
    // New York: 03:30 UTC on 1 November is 23:30 EDT on 31 October.
    expect(dayOf("2026-11-01T03:30:00Z", "America/New_York")).toBe("2026-10-31");
  });

  it("knows when a local day starts and how long it lasts", () => {
    expect(new Date(dayStart("2026-03-29", "Europe/Berlin")).toISOString()).toBe("2026-03-28T23:00:00.000Z");
    expect(new Date(dayStart("2026-03-30", "Europe/Berlin")).toISOString()).toBe("2026-03-29T22:00:00.000Z");
    expect(dayHours("2026-03-29", "Europe/Berlin")).toBe(23);
    expect(dayHours("2026-10-25", "Europe/Berlin")).toBe(25);
    expect(dayHours("2026-10-26", "Europe/Berlin")).toBe(24);
    expect(dayHours("2026-11-01", "America/New_York")).toBe(25);
    expect(dayHours("2026-03-08", "America/New_York")).toBe(23);
    expect(dayHours("2026-03-29", "UTC")).toBe(24);
    // Where midnight itself is skipped (Santiago springs forward at 00:00 → 01:00).
    expect(dayHours("2026-09-06", "America/Santiago")).toBe(23);
    expect(dayOf(new Date(dayStart("2026-09-06", "America/Santiago")).toISOString(), "America/Santiago")).toBe("2026-09-06");
  });
});

describe("day navigation", () => {
  const today = "2026-03-30";
  it("goes back a day at a time and forward never past today (null: the live view)", () => {
    expect(stepDay(null, today, -1)).toBe("2026-03-29");
    expect(stepDay("2026-03-29", today, -1)).toBe("2026-03-28");
    expect(stepDay("2026-03-28", today, 1)).toBe("2026-03-29");
    expect(stepDay("2026-03-29", today, 1)).toBeNull();
    expect(stepDay(null, today, 1)).toBeNull();
  });
  it("takes a chosen date, today or later meaning the live view", () => {
    expect(chooseDay("2026-03-01", today)).toBe("2026-03-01");
    expect(chooseDay(today, today)).toBeNull();
    expect(chooseDay("2026-04-01", today)).toBeNull();
    expect(chooseDay("nonsense", today)).toBeNull();
  });
  it("names the day shown", () => {
    expect(dayHeading(today, today)).toBe("Today");
    expect(dayHeading("2026-03-29", today)).toBe("Yesterday");
    expect(dayHeading("2026-03-28", today)).toBe("Saturday 28 March 2026");
  });
});
