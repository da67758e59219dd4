// Same signal as opsdeck's ui/src/lib/probe.ts: once the first frame showing the page has been
// presented (the second animation frame), tell the backend (a no-op unless OPSDECK_PAINT_PROBE
// is set). No bundler here, so the IPC entry point Tauri injects into every page is used directly.
requestAnimationFrame(() => {
  requestAnimationFrame(() => {
    window.__TAURI_INTERNALS__.invoke("first_paint", { pageMs: performance.now() }).catch(() => {});
  });
});
