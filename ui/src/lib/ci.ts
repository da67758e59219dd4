// What a CI run's panel shows and the actions it offers. Nothing here acts: every request goes
// through plan → confirmation dialog → confirm, and the backend refuses what GitHub would.
import type { ActionKind, ActionRequest, TimelineEntry } from "./bindings";

export type CiAction = "rerun_failed" | "rerun" | "cancel" | "approve_deployment";

export interface FailedJob {
  name: string;
  steps: string[];
}

type Details = Record<string, unknown>;

function details(entry: TimelineEntry): Details {
  const d = entry.details;
  return d !== null && typeof d === "object" && !Array.isArray(d) ? (d as Details) : {};
}

function text(v: unknown): string | null {
  return typeof v === "string" && v !== "" ? v : null;
}

/** `owner/repo/run_id`, the target of every CI action; null when the entry does not say. */
export function runTarget(entry: TimelineEntry): string | null {
  if (entry.kind !== "ci_run") return null;
  const repo = text(details(entry).repo);
  return repo && /^\d+$/.test(entry.external_id) ? `${repo}/${entry.external_id}` : null;
}

/** The actions a run offers in its state: re-runs once finished, cancel while it runs. */
export function ciActions(entry: TimelineEntry): CiAction[] {
  if (runTarget(entry) === null) return [];
  switch (entry.status) {
    case "failure":
    case "cancelled":
      return ["rerun_failed", "rerun"];
    case "success":
      return ["rerun"];
    case "queued":
      // A run waiting for a reviewer is queued until approved.
      return ["approve_deployment", "cancel"];
    case "in_progress":
      return ["cancel"];
    default:
      return [];
  }
}

export const ciActionLabel: Record<CiAction, string> = {
  rerun_failed: "Re-run failed jobs",
  rerun: "Re-run all jobs",
  cancel: "Cancel run",
  approve_deployment: "Approve deployment…",
};

export function ciRequest(action: CiAction, target: string, params: Record<string, string> = {}): ActionRequest {
  return { kind: `github.${action}` as ActionKind, target, params };
}

/** The failed jobs and their failed steps, as the backend found them. */
export function failedJobs(entry: TimelineEntry): FailedJob[] {
  const jobs = details(entry).failed_jobs;
  if (!Array.isArray(jobs)) return [];
  return jobs.flatMap((j) => {
    if (j === null || typeof j !== "object") return [];
    const name = text((j as Details).name);
    const steps = (j as Details).failed_steps;
    return name ? [{ name, steps: Array.isArray(steps) ? steps.filter((s): s is string => typeof s === "string") : [] }] : [];
  });
}

/** Why the run looks flaky, or null. */
export function flakyHint(entry: TimelineEntry): string | null {
  const flaky = details(entry).flaky;
  return flaky !== null && typeof flaky === "object" ? text((flaky as Details).hint) : null;
}

/** "4 min 10 s" from the run's duration in seconds. */
export function durationWords(seconds: unknown): string | null {
  if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0) return null;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  if (m >= 60) return `${Math.floor(m / 60)} h ${m % 60} min`;
  return m > 0 ? `${m} min ${s} s` : `${s} s`;
}
