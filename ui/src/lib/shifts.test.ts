import { describe, expect, it } from "vitest";
import type { MorningRead, OpenItem, Shift } from "./bindings";
import {
  afterSave,
  dateTime,
  draftOf,
  groupOpenItems,
  handoffBanner,
  humanDuration,
  isDirty,
  pagesLine,
  refreshDraft,
  runningManual,
  sameDraft,
  shiftInProgress,
  shiftLabel,
  shiftSpan,
  tidy,
} from "./shifts";

const shift = (over: Partial<Shift> = {}): Shift => ({
  id: "s1",
  origin: "schedule",
  user_name: "Sam Okafor",
  user_email: "sam@example.test",
  schedule: "Payments Primary",
  escalation_policy: "Payments Primary",
  start: "2026-05-04T05:00:00Z",
  end: "2026-05-05T09:00:00Z",
  summary: null,
  watch_next: [],
  edited_at: null,
  ...over,
});

describe("humanDuration", () => {
  it("reads as minutes and seconds under an hour, hours and minutes after", () => {
    expect(humanDuration(300)).toBe("5m 0s");
    expect(humanDuration(5280)).toBe("1h 28m");
    expect(humanDuration(45)).toBe("45s");
    expect(humanDuration(0)).toBe("0s");
    expect(humanDuration(3599)).toBe("59m 59s");
    expect(humanDuration(3600)).toBe("1h 0m");
    expect(humanDuration(11100)).toBe("3h 5m");
    expect(humanDuration(90000)).toBe("1d 1h");
  });
  it("says nothing was measured with a dash", () => {
    expect(humanDuration(null)).toBe("—");
    expect(humanDuration(undefined)).toBe("—");
    expect(humanDuration(-1)).toBe("—");
    expect(humanDuration(Number.NaN)).toBe("—");
  });
});

describe("shifts", () => {
  it("are labelled by schedule, or manual", () => {
    expect(shiftLabel(shift())).toBe("Payments Primary");
    expect(shiftLabel(shift({ origin: "manual", schedule: null, escalation_policy: null }))).toBe("manual");
    expect(shiftLabel(shift({ schedule: null }))).toBe("Payments Primary");
    expect(shiftLabel(shift({ schedule: null, escalation_policy: null }))).toBe("on call");
  });
  it("are in progress from their start until their end (a running manual one until stopped)", () => {
    expect(shiftInProgress(shift(), "2026-05-05T08:30:00Z")).toBe(true);
    expect(shiftInProgress(shift(), "2026-05-05T09:00:00Z")).toBe(false);
    expect(shiftInProgress(shift(), "2026-05-04T04:59:00Z")).toBe(false);
    expect(shiftInProgress(shift({ end: null }), "2030-01-01T00:00:00Z")).toBe(true);
  });
  it("span local dates and times, the end's date only when it differs", () => {
    expect(dateTime("2026-05-04T05:00:00Z", "UTC")).toBe("Mon 4 May 05:00");
    expect(shiftSpan("2026-05-04T05:00:00Z", "2026-05-05T09:00:00Z", "UTC")).toBe("Mon 4 May 05:00 → Tue 5 May 09:00");
    expect(shiftSpan("2026-05-04T05:00:00Z", "2026-05-04T17:00:00Z", "UTC")).toBe("Mon 4 May 05:00 → 17:00");
    // In Berlin (CEST, UTC+2) the same shift starts at 07:00 and ends at 11:00.
    expect(shiftSpan("2026-05-04T05:00:00Z", "2026-05-05T09:00:00Z", "Europe/Berlin")).toBe(
      "Mon 4 May 07:00 → Tue 5 May 11:00",
    );
    expect(shiftSpan("2026-05-04T05:00:00Z", null, "UTC")).toBe("Mon 4 May 05:00 → (running)");
  });
  it("finds the manual shift that runs", () => {
    expect(runningManual([shift()])).toBeNull();
    const m = shift({ id: "m", origin: "manual", end: null });
    expect(runningManual([shift(), m])).toBe(m);
    expect(runningManual([shift({ origin: "manual" })])).toBeNull();
  });
});

const item = (kind: OpenItem["kind"], id: string, since: string): OpenItem => ({
  kind,
  id,
  title: id,
  since,
  until: null,
  service: null,
  entry_id: null,
  url: null,
});

describe("groupOpenItems", () => {
  it("groups by kind, incidents first, oldest first in each group, empty kinds left out", () => {
    const groups = groupOpenItems([
      item("node", "n1", "2026-05-04T10:00:00Z"),
      item("silence", "s1", "2026-05-04T09:00:00Z"),
      item("incident", "i2", "2026-05-04T12:00:00Z"),
      item("incident", "i1", "2026-05-04T08:00:00Z"),
    ]);
    expect(groups.map((g) => [g.kind, g.heading, g.items.map((i) => i.id)])).toEqual([
      ["incident", "Open incidents", ["i1", "i2"]],
      ["silence", "Active silences", ["s1"]],
      ["node", "Nodes not ready", ["n1"]],
    ]);
    expect(groupOpenItems([])).toEqual([]);
  });
});

const read = (over: Partial<MorningRead> = {}): MorningRead => ({
  now: "2026-05-05T08:30:00Z",
  since: "2026-05-04T20:30:00Z",
  looked_before: false,
  paged: [],
  open_pages: [],
  firing: [],
  ci_failures: [],
  unhealthy: [],
  sources: [],
  shift: shift(),
  handoff_due: true,
  ...over,
});

describe("handoffBanner", () => {
  it("offers the handoff when the backend says it is due, with the local end time", () => {
    expect(handoffBanner(read(), new Set(), "UTC")).toEqual({
      shiftId: "s1",
      endsAt: "09:00",
      text: "Your shift ends at 09:00 — review the handoff",
    });
    expect(handoffBanner(read(), new Set(), "Europe/Berlin")?.endsAt).toBe("11:00");
  });
  it("names the weekday when the shift ends on another local day", () => {
    const late = read({ now: "2026-05-04T23:30:00Z", shift: shift({ end: "2026-05-05T00:15:00Z" }) });
    expect(handoffBanner(late, new Set(), "UTC")?.text).toBe("Your shift ends at Tue 00:15 — review the handoff");
  });
  it("stays away when not due, without a shift or an end, or once dismissed for that shift", () => {
    expect(handoffBanner(null, new Set(), "UTC")).toBeNull();
    expect(handoffBanner(read({ handoff_due: false }), new Set(), "UTC")).toBeNull();
    expect(handoffBanner(read({ shift: null }), new Set(), "UTC")).toBeNull();
    expect(handoffBanner(read({ shift: shift({ end: null }) }), new Set(), "UTC")).toBeNull();
    expect(handoffBanner(read(), new Set(["s1"]), "UTC")).toBeNull();
    // Dismissing one shift's banner does not hide the next shift's.
    expect(handoffBanner(read({ shift: shift({ id: "s2" }) }), new Set(["s1"]), "UTC")?.shiftId).toBe("s2");
  });
});

describe("the handoff draft", () => {
  const saved = { summary: "Quiet night", watch: ["orders-db CPU"] };

  it("compares as the backend keeps text: one line, no empty items", () => {
    expect(tidy({ summary: "  Quiet \n night ", watch: [" a  b ", "", "  "] })).toEqual({ summary: "Quiet night", watch: ["a b"] });
    expect(sameDraft({ summary: "Quiet  night ", watch: ["orders-db CPU", ""] }, saved)).toBe(true);
    expect(sameDraft({ summary: "Quiet night", watch: [] }, saved)).toBe(false);
    expect(draftOf({ summary: null, watch_next: ["x"] })).toEqual({ summary: "", watch: ["x"] });
  });

  it("follows the backend while untouched, and keeps typed text on a refresh", () => {
    let s = refreshDraft(undefined, saved);
    expect(isDirty(s)).toBe(false);
    const incoming = { summary: "Edited elsewhere", watch: [] };
    expect(refreshDraft(s, incoming).draft).toEqual(incoming);
    s = { ...s, draft: { summary: "Typing…", watch: ["orders-db CPU", "half an it"] } };
    const after = refreshDraft(s, incoming);
    expect(after.draft).toEqual({ summary: "Typing…", watch: ["orders-db CPU", "half an it"] });
    expect(after.saved).toEqual(incoming);
    expect(isDirty(after)).toBe(true);
  });

  it("takes what the backend stored after a save, unless typing went on meanwhile", () => {
    const sent = { summary: "Calm  night", watch: ["a"] };
    const stored = { summary: "Calm night", watch: ["a"] };
    const s = { draft: sent, saved };
    expect(afterSave(s, sent, stored)).toEqual({ draft: stored, saved: stored });
    const moved = { draft: { summary: "Calm night, mostly", watch: ["a"] }, saved };
    const kept = afterSave(moved, sent, stored);
    expect(kept.draft.summary).toBe("Calm night, mostly");
    expect(isDirty(kept)).toBe(true);
  });
});

describe("pagesLine", () => {
  it("splits the pages by urgency and hours", () => {
    const f = {
      pages: 3,
      high_urgency: 3,
      low_urgency: 0,
      out_of_hours: 2,
      median_time_to_acknowledge_s: 300,
      median_time_to_resolve_s: 5280,
      actions: 0,
      actions_failed: 0,
      runbook_runs: 0,
    };
    expect(pagesLine(f)).toBe("3 pages: 3 high, 0 low, 2 out of hours");
    expect(pagesLine({ ...f, pages: 0 })).toBe("0 pages");
    expect(pagesLine({ ...f, pages: 1, high_urgency: 1, out_of_hours: 0 })).toBe("1 page: 1 high, 0 low, 0 out of hours");
  });
});
