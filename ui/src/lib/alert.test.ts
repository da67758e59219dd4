import { describe, expect, it } from "vitest";
import {
  alertDetails,
  defaultMatchers,
  expireRequest,
  matcher,
  silenceParams,
  silenceRequest,
  sourceNameOf,
  tiePages,
} from "./alert";
import type { TimelineEntry } from "./bindings";
import { visibleText } from "./text";

describe("alertDetails", () => {
  it("reads labels, annotations, state and silences, alertname and summary first", () => {
    const d = alertDetails({
      labels: { service: "payments-api", alertname: "DBConnectionPoolExhausted", severity: "warning" },
      annotations: { runbook_url: "https://runbooks.example.test/connection-pool", summary: "pool 200/200" },
      fingerprint: "0123456789abcdef",
      state: "suppressed",
      silenced_by: [
        { id: "3f0c…", created_by: "sam@example.test", comment: "deploying the fix", ends_at: "2026-05-04T08:00:00Z" },
        "plain-id",
        42,
      ],
      inhibited_by: ["x", 7],
    });
    expect(d.labels.map(([k]) => k)).toEqual(["alertname", "service", "severity"]);
    expect(d.annotations[0]).toEqual(["summary", "pool 200/200"]);
    expect(d.runbookUrl).toBe("https://runbooks.example.test/connection-pool");
    expect(d.fingerprint).toBe("0123456789abcdef");
    expect(d.state).toBe("suppressed");
    expect(d.silencedBy).toEqual([
      { id: "3f0c…", createdBy: "sam@example.test", comment: "deploying the fix", endsAt: "2026-05-04T08:00:00Z" },
      { id: "plain-id", createdBy: null, comment: null, endsAt: null },
    ]);
    expect(d.inhibitedBy).toEqual(["x"]);
  });

  it("survives anything that is not the expected shape", () => {
    for (const bad of [null, 3, "x", [], { labels: [1, 2], annotations: "no", silenced_by: {} }]) {
      const d = alertDetails(bad);
      expect(d.labels).toEqual([]);
      expect(d.silencedBy).toEqual([]);
      expect(d.fingerprint).toBeNull();
    }
  });

  it("drops label values that are not strings", () => {
    expect(alertDetails({ labels: { a: "1", b: 2, c: null } }).labels).toEqual([["a", "1"]]);
  });
});

describe("visibleText", () => {
  it("shows bidi overrides and hidden characters instead of obeying them", () => {
    expect(visibleText("admin\u202Etxt.exe")).toBe("admin⟨U+202E⟩txt.exe");
    expect(visibleText("a\u2066b\u2069c\u200Bd\u0000e")).toBe("a⟨U+2066⟩b⟨U+2069⟩c⟨U+200B⟩d⟨U+0000⟩e");
  });
  it("leaves markup, emoji, tabs and newlines alone (they render as text)", () => {
    const s = '<img src=x onerror="alert(1)"> 🔥 über\tline\nnext';
    expect(visibleText(s)).toBe(s);
  });
});

describe("matchers", () => {
  it("quotes and escapes values as Alertmanager parses them", () => {
    expect(matcher("route", "/v1/checkout")).toBe('route="/v1/checkout"');
    expect(matcher("q", 'say "hi" \\ now\n')).toBe('q="say \\"hi\\" \\\\ now\\n"');
  });
  it("start from every label", () => {
    expect(
      defaultMatchers([
        ["alertname", "X"],
        ["service", "payments-api"],
      ]),
    ).toBe('alertname="X", service="payments-api"');
  });
});

describe("silenceParams", () => {
  const defaults = 'alertname="X", service="payments-api"';
  it("needs a duration and a comment, and sends matchers only when changed", () => {
    expect(silenceParams("2h", " deploying the fix ", defaults, defaults)).toEqual({
      ok: true,
      params: { duration: "2h", comment: "deploying the fix" },
    });
    expect(silenceParams("1h30m", "noise", 'alertname="X"', defaults)).toEqual({
      ok: true,
      params: { duration: "1h30m", comment: "noise", matchers: 'alertname="X"' },
    });
  });
  it("says what is missing", () => {
    expect(silenceParams("soon", "x", defaults, defaults)).toEqual({ ok: false, error: "Enter a duration like 30m, 2h or 1d." });
    expect(silenceParams("2h", "  ", defaults, defaults)).toEqual({ ok: false, error: "Say why: a silence needs a comment." });
    expect(silenceParams("2h", "x", " ", defaults)).toEqual({ ok: false, error: "A silence needs at least one matcher." });
  });
});

describe("requests", () => {
  it("name the source's action kinds", () => {
    expect(silenceRequest("alertmanager", "fp", { duration: "2h" })).toEqual({
      kind: "alertmanager.silence",
      target: "fp",
      params: { duration: "2h" },
    });
    expect(expireRequest("grafana", "s1")).toEqual({ kind: "grafana.expire_silence", target: "s1", params: {} });
  });
});

describe("alertDetails: rule and backfill", () => {
  it("reads Grafana's rule and the backfill marker, and nothing when absent", () => {
    const d = alertDetails({
      rule: { group: "orders-db", folder: "db", health: "error", query: "cpu > 0.9", last_error: "no data" },
      backfilled_from: "Prometheus ALERTS",
    });
    expect(d.rule).toEqual({ group: "orders-db", folder: "db", health: "error", query: "cpu > 0.9", lastError: "no data" });
    expect(d.backfilledFrom).toBe("Prometheus ALERTS");
    const none = alertDetails({ rule: "nonsense" });
    expect(none.rule).toBeNull();
    expect(none.backfilledFrom).toBeNull();
  });
});

describe("tying a silence to a page, and which source holds it", () => {
  const page = (id: string, service: string, status: "triggered" | "resolved", at: string): TimelineEntry => ({
    id,
    source: "pagerduty",
    kind: "page",
    severity: "critical",
    status,
    title: `page ${id}`,
    service,
    url: null,
    started_at: at,
    ended_at: null,
    external_id: id,
    details: {},
  });
  it("offers the service's open pages, newest first", () => {
    const entries = [
      page("Q1", "pay", "triggered", "2026-05-04T05:00:00Z"),
      page("Q2", "pay", "resolved", "2026-05-04T05:10:00Z"),
      page("Q3", "web", "triggered", "2026-05-04T05:20:00Z"),
      page("Q4", "pay", "triggered", "2026-05-04T05:30:00Z"),
    ];
    expect(tiePages(entries, "pay").map((e) => e.external_id)).toEqual(["Q4", "Q1"]);
    expect(tiePages(entries, null)).toEqual([]);
  });
  it("sends the tie and the source name as parameters", () => {
    const parsed = silenceParams("2h", "fix", "a=\"1\"", "a=\"1\"", "Q4", "am-us");
    expect(parsed).toEqual({ ok: true, params: { duration: "2h", comment: "fix", until_resolved: "Q4", source: "am-us" } });
    expect(expireRequest("alertmanager", "s1", "am-us").params).toEqual({ source: "am-us" });
    expect(sourceNameOf({ alertmanager: "am-us" }, "alertmanager")).toBe("am-us");
    expect(sourceNameOf({ grafana: 3 }, "grafana")).toBeNull();
  });
});
