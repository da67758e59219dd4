import { describe, expect, it } from "vitest";
import type { TimelineEntry } from "./bindings";
import { ciActions, ciRequest, durationWords, failedJobs, flakyHint, runTarget } from "./ci";

function run(status: TimelineEntry["status"], details: TimelineEntry["details"] = {}): TimelineEntry {
  return {
    id: "r",
    source: "github",
    kind: "ci_run",
    severity: status === "failure" ? "warning" : "info",
    status,
    title: "ci #11 (main): Add payment latency and pool metrics",
    service: "payments-api",
    url: null,
    started_at: "2026-05-04T16:05:00Z",
    ended_at: null,
    external_id: "9011",
    details: { repo: "acme/payments-api", ...(details as object) },
  };
}

describe("ciActions", () => {
  it("offers re-runs of a failed run, cancel of a running one", () => {
    expect(ciActions(run("failure"))).toEqual(["rerun_failed", "rerun"]);
    expect(ciActions(run("success"))).toEqual(["rerun"]);
    expect(ciActions(run("in_progress"))).toEqual(["cancel"]);
    expect(ciActions(run("queued"))).toEqual(["approve_deployment", "cancel"]);
  });
  it("offers nothing without a repository to target", () => {
    const bare = { ...run("failure"), details: {} };
    expect(runTarget(bare)).toBeNull();
    expect(ciActions(bare)).toEqual([]);
  });
  it("targets owner/repo/run_id", () => {
    expect(ciRequest("rerun_failed", runTarget(run("failure"))!)).toEqual({
      kind: "github.rerun_failed",
      target: "acme/payments-api/9011",
      params: {},
    });
  });
});

describe("details", () => {
  it("reads failed jobs and steps, ignoring junk", () => {
    const e = run("failure", { failed_jobs: [{ name: "test", failed_steps: ["Run tests", 3] }, null, { steps: [] }] });
    expect(failedJobs(e)).toEqual([{ name: "test", steps: ["Run tests"] }]);
    expect(failedJobs(run("failure", { failed_jobs: "nope" }))).toEqual([]);
  });
  it("reads the flaky hint", () => {
    expect(flakyHint(run("success", { flaky: { hint: "run 9020 of the same commit failed, this one passed" } }))).toContain("9020");
    expect(flakyHint(run("success"))).toBeNull();
  });
  it("says durations in words", () => {
    expect(durationWords(250)).toBe("4 min 10 s");
    expect(durationWords(42)).toBe("42 s");
    expect(durationWords(3900)).toBe("1 h 5 min");
    expect(durationWords(null)).toBeNull();
  });
});
