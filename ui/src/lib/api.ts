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
  /** Opens an entry's vendor link in the system browser (the backend looks the URL up). */
  openLink(entryId: string): Promise<void>;
  /** Calls `cb` whenever the cockpit's data changed; returns the unsubscribe function. */
  onChange(cb: () => void): Promise<() => void>;
}

/** Errors cross IPC as `{code, message}`. */
export function errorCode(e: unknown): string | null {
  return e && typeof e === "object" && "code" in e && typeof e.code === "string" ? e.code : null;
}

/** Keep the message, never the raw object. */
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
  openLink: (id) => invoke<void>("open_entry_link", { id }),
  onChange: (cb) => listen("cockpit-changed", () => cb()),
};
