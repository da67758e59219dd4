// Start-up probe for scripts/measure-desktop.sh: tells the backend, once, that the first frame
// showing the timeline (an entry, or the empty-timeline message) has been presented. The backend's
// `first_paint` does nothing unless OPSDECK_PAINT_PROBE is set, so this runs unconditionally;
// outside Tauri (unit tests, `vite dev` in a browser) it does nothing at all.
import { invoke } from "@tauri-apps/api/core";

const TIMELINE_SHOWN = "[data-testid=entry], [data-testid=timeline-empty]";
let reported = false;

/** Call after every render that may show the timeline; only the first one that does counts. */
export function reportFirstPaint(): void {
  if (reported || !("__TAURI_INTERNALS__" in window)) return;
  if (document.querySelector(TIMELINE_SHOWN) === null) return;
  reported = true;
  const entries = document.querySelectorAll("[data-testid=entry]").length;
  // The first animation frame renders the new DOM; WebKit runs the next frame's callbacks only
  // once the compositor has presented that one. (A task queued from the first callback ran
  // before the baseline's first frame was even composited: 25 ms into its page versus 300.)
  requestAnimationFrame(() => {
    requestAnimationFrame(() => {
      invoke("first_paint", { pageMs: performance.now(), entries }).catch(() => {});
    });
  });
}
