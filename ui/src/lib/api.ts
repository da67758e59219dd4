// The one place the UI talks to the backend. Components receive a `Backend` so tests can hand
// them a mock; the real one goes through Tauri's IPC.
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type { AppStatus, SourceHealth, TimelineEntry } from "./bindings";

export interface Backend {
  status(): Promise<AppStatus>;
  today(): Promise<TimelineEntry[]>;
  health(): Promise<SourceHealth[]>;
  startDemo(): Promise<AppStatus>;
  refresh(): Promise<void>;
  /** Calls `cb` whenever the cockpit's data changed; returns the unsubscribe function. */
  onChange(cb: () => void): Promise<() => void>;
}

/** Errors cross IPC as `{code, message}`; keep the message, never the raw object. */
export function errorMessage(e: unknown): string {
  if (typeof e === "string") return e;
  if (e && typeof e === "object" && "message" in e && typeof e.message === "string") return e.message;
  return "unexpected error";
}

export const tauriBackend: Backend = {
  status: () => invoke<AppStatus>("app_status"),
  today: () => invoke<TimelineEntry[]>("timeline_today"),
  health: () => invoke<SourceHealth[]>("source_health"),
  startDemo: () => invoke<AppStatus>("start_demo"),
  refresh: () => invoke<void>("refresh"),
  onChange: (cb) => listen("cockpit-changed", () => cb()),
};
