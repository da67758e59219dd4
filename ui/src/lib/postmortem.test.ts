import { describe, expect, it } from "vitest";
import { validTimeZone, zoneFor } from "./postmortem";

describe("postmortem timezone", () => {
  it("knows IANA names", () => {
    expect(validTimeZone("Europe/Berlin")).toBe(true);
    expect(validTimeZone("UTC")).toBe(true);
    expect(validTimeZone("Mars/Olympus_Mons")).toBe(false);
    expect(validTimeZone("")).toBe(false);
    expect(validTimeZone(" Europe/Berlin")).toBe(false);
  });
  it("asks for the cockpit's zone by default, UTC, this computer's, or a typed one", () => {
    expect(zoneFor("cockpit", "", "Europe/Berlin")).toEqual({ zone: null, problem: null });
    expect(zoneFor("utc", "", null)).toEqual({ zone: "UTC", problem: null });
    expect(zoneFor("browser", "", "Europe/Berlin")).toEqual({ zone: "Europe/Berlin", problem: null });
    expect(zoneFor("browser", "", null).problem).toMatch(/no timezone/);
    expect(zoneFor("other", " Asia/Tokyo ", null)).toEqual({ zone: "Asia/Tokyo", problem: null });
    expect(zoneFor("other", "", null).problem).toMatch(/Type an IANA timezone/);
    expect(zoneFor("other", "Nowhere/Land", null)).toEqual({
      zone: null,
      problem: "“Nowhere/Land” is not a timezone this computer knows (IANA names, such as Asia/Tokyo).",
    });
  });
});
