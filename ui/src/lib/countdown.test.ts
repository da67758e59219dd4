import { describe, expect, it } from "vitest";
import { clockDuration, countdownText, secondsLeft, typedMatches } from "./countdown";

const at = (iso: string) => Date.parse(iso);

describe("countdownText", () => {
  const expires = "2026-11-22T06:02:00Z";
  it("counts whole seconds down as m:ss", () => {
    expect(countdownText(expires, at("2026-11-22T06:00:18Z"))).toBe("expires in 1:42");
    expect(countdownText(expires, at("2026-11-22T06:01:55.5Z"))).toBe("expires in 0:05");
    expect(countdownText(expires, at("2026-11-22T06:01:59.9Z"))).toBe("expires in 0:01");
  });
  it("is null once the plan has expired", () => {
    expect(countdownText(expires, at("2026-11-22T06:02:00Z"))).toBeNull();
    expect(countdownText(expires, at("2026-11-22T06:05:00Z"))).toBeNull();
    expect(countdownText("not a time", at("2026-11-22T06:00:00Z"))).toBeNull();
  });
  it("never goes negative", () => {
    expect(secondsLeft(expires, at("2026-11-22T07:00:00Z"))).toBe(0);
  });
});

describe("clockDuration", () => {
  it("pads seconds and shows hours past an hour", () => {
    expect(clockDuration(102)).toBe("1:42");
    expect(clockDuration(9)).toBe("0:09");
    expect(clockDuration(3725)).toBe("1:02:05");
  });
});

describe("typedMatches", () => {
  it("needs nothing when no name is asked for", () => {
    expect(typedMatches(null, "")).toBe(true);
  });
  it("wants exactly the name", () => {
    expect(typedMatches("payments-api", "payments-api")).toBe(true);
    expect(typedMatches("payments-api", "payments-ap")).toBe(false);
    expect(typedMatches("payments-api", "Payments-api")).toBe(false);
    expect(typedMatches("payments-api", " payments-api")).toBe(false);
    expect(typedMatches("payments-api", "")).toBe(false);
  });
});
