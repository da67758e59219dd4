// Reading vendor JSON defensively: each accessor gives the expected shape or an empty value,
// never throws, so a malformed field degrades to "—" instead of breaking a panel.
import type { JsonValue } from "./bindings";

export type JsonObject = { [key in string]: JsonValue };

export function obj(v: JsonValue | undefined): JsonObject | null {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? v : null;
}

/** A non-empty string, or null. */
export function str(v: JsonValue | undefined): string | null {
  return typeof v === "string" && v !== "" ? v : null;
}

export function arr(v: JsonValue | undefined): JsonValue[] {
  return Array.isArray(v) ? v : [];
}
