// Which PagerDuty actions apply to a page, and the requests the panel sends to be planned.
// Nothing here acts: every request goes through plan → confirmation dialog → confirm.
import type { ActionKind, ActionRequest, Risk, Status } from "./bindings";

export type PageAction = "acknowledge" | "resolve" | "reassign" | "snooze" | "note";

/** The actions a page in `status` offers, in the order the panel shows them. */
export function pageActions(status: Status | null): PageAction[] {
  switch (status) {
    case "triggered":
      return ["acknowledge", "resolve", "reassign", "note"];
    case "acknowledged":
      return ["resolve", "reassign", "snooze", "note"];
    case "resolved":
      return ["note"];
    default:
      // Unknown state: offer what cannot make things worse; the backend still decides.
      return ["resolve", "note"];
  }
}

export const SNOOZE_PRESETS = ["15m", "1h", "4h"] as const;

export function pageRequest(action: PageAction, incidentId: string, params: Record<string, string> = {}): ActionRequest {
  return { kind: `pagerduty.${action}` as ActionKind, target: incidentId, params };
}

export type Parsed = { ok: true; params: Record<string, string> } | { ok: false; error: string };

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** Reassign to a user (by email) or to an escalation level (a whole number from 1). */
export function reassignParams(input: string): Parsed {
  const text = input.trim();
  if (/^\d+$/.test(text)) {
    const level = Number(text);
    return level >= 1 ? { ok: true, params: { level: String(level) } } : { ok: false, error: "Escalation levels start at 1." };
  }
  if (EMAIL.test(text)) return { ok: true, params: { to: text } };
  return { ok: false, error: "Enter a user's email or an escalation level number." };
}

/** Snooze for a duration like 15m, 1h or 2h30m; the backend checks the range PagerDuty allows. */
export function snoozeParams(input: string): Parsed {
  const text = input.trim();
  if (/^(\d+\s*(s|sec|m|min|h|hr|hour|hours|d|day|days)\s*)+$/i.test(text)) return { ok: true, params: { duration: text } };
  return { ok: false, error: "Enter a duration like 30m, 2h or 1h30m." };
}

export function noteParams(input: string): Parsed {
  const text = input.trim();
  return text ? { ok: true, params: { text } } : { ok: false, error: "Write the note first." };
}

// Colour never alone: a glyph and a word for each risk.
export const riskGlyph: Record<Risk, string> = { low: "●", medium: "◆", high: "▲" };
