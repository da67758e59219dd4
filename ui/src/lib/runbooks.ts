// The run view's words and keys. Pure, so the tests can check them without a window.
import type { RunbookRun, RunStep } from "./bindings";

export function progressWords(run: RunbookRun): string {
  const skipped = run.skipped > 0 ? `, ${run.skipped} skipped` : "";
  const ended = run.ended_at !== null ? " (ended)" : "";
  return `${run.done} of ${run.total} done${skipped}${ended}`;
}

const REASONS: Record<string, string> = {
  alias: "named by the alert's runbook URL",
  slug: "named by the alert's runbook URL",
  alert_name: "written for this alert",
  matcher: "matches the alert's labels",
  service: "for this service",
};

export function reasonWords(reason: string): string {
  return REASONS[reason] ?? reason;
}

export type RunKey = "next" | "prev" | "toggle" | "run" | "note";

/** j/k move between steps, x ticks or unticks, Enter runs the step's action, n writes a note. */
export function runKey(ev: { key: string; ctrlKey: boolean; metaKey: boolean; altKey: boolean }): RunKey | null {
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return null;
  switch (ev.key) {
    case "j":
    case "ArrowDown":
      return "next";
    case "k":
    case "ArrowUp":
      return "prev";
    case "x":
    case " ":
      return "toggle";
    case "Enter":
      return "run";
    case "n":
      return "note";
    default:
      return null;
  }
}

/** The step index after `from` in `direction`, staying within the run. */
export function moveStep(total: number, from: number, direction: 1 | -1): number {
  if (total <= 0) return 0;
  return Math.min(total - 1, Math.max(0, from + direction));
}

/** The first step still open, or the last one when all are done. */
export function firstOpen(steps: readonly RunStep[]): number {
  const open = steps.find((s) => s.state === "open");
  return open ? open.index : Math.max(0, steps.length - 1);
}

/** Runbooks whose slug, title, services, alerts or tags hold every word of `query` (any case). */
export function searchRunbooks<T extends { slug: string; title: string; services: string[]; alerts: string[]; tags: string[] }>(
  runbooks: readonly T[],
  query: string,
): T[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...runbooks];
  return runbooks.filter((r) => {
    const hay = [r.slug, r.title, ...r.services, ...r.alerts, ...r.tags].join(" ").toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}
