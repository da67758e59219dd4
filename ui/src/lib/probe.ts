// Start-up probe for scripts/measure-desktop.sh: tells the backend, once, that the first frame
// showing the timeline (an entry, or the empty-timeline message) has been painted. The backend's
// `first_paint` does nothing unless OPSDECK_PAINT_PROBE is set, so this runs unconditionally;
// outside Tauri (unit tests, `vite dev` in a browser) it does nothing at all.
import { invoke } from "@tauri-apps/api/core";

const calls: unknown[] = [];
const w = window as unknown as { __TAURI_INTERNALS__?: { invoke: (...a: unknown[]) => Promise<unknown> } };
if (w.__TAURI_INTERNALS__) {
  const orig = w.__TAURI_INTERNALS__.invoke;
  w.__TAURI_INTERNALS__.invoke = (...a: unknown[]) => {
    const t0 = performance.now();
    const p = orig(...a);
    p.then(
      () => calls.push([a[0], Math.round(t0), Math.round(performance.now()), "ok"]),
      (e) => calls.push([a[0], Math.round(t0), Math.round(performance.now()), JSON.stringify(e)]),
    );
    return p;
  };
}
const TIMELINE_SHOWN = "[data-testid=entry], [data-testid=timeline-empty]";
let reported = false;

/** Call after every render that may show the timeline; only the first one that does counts. */
export function reportFirstPaint(): void {
  if (reported || !("__TAURI_INTERNALS__" in window)) return;
  if (document.querySelector(TIMELINE_SHOWN) === null) return;
  reported = true;
  const entries = document.querySelectorAll("[data-testid=entry]").length;
  // requestAnimationFrame callbacks run just before the frame that shows the new DOM is
  // rendered; a task queued from there runs once that frame has been painted.
  requestAnimationFrame(() => {
    setTimeout(() => {
      const diag = JSON.stringify({
        nav: performance.getEntriesByType("navigation").map((e) => e.toJSON()),
        res: performance.getEntriesByType("resource").map((e) => [e.name, Math.round(e.startTime), Math.round((e as PerformanceResourceTiming).responseEnd)]),
        now: performance.now(),
        calls,
      });
      invoke("first_paint", { pageMs: performance.now(), entries, diag }).catch(() => {});
    }, 0);
  });
}
