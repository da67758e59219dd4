// Keyboard map of the Today screen, as pure decisions: which command a key press means, and
// where the selection moves. App.svelte applies them; no DOM here.

export type KeyCommand = "next" | "prev" | "open" | "close" | "acknowledge" | "resolve";

/** What kind of element has focus: text fields keep every key; controls keep Enter. */
export type FocusKind = "text" | "control" | "other";

export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  focus: FocusKind;
}

const KEYS = new Map<string, KeyCommand>([
  ["j", "next"],
  ["ArrowDown", "next"],
  ["k", "prev"],
  ["ArrowUp", "prev"],
  ["Enter", "open"],
  ["Escape", "close"],
  ["a", "acknowledge"],
  ["r", "resolve"],
]);

/**
 * The command a key press means, or null to leave it to the browser. Nothing fires while the
 * confirmation dialog is open (it handles its own keys), while typing in a field, or with
 * Ctrl/Meta/Alt held (those belong to the system and future chords).
 */
export function keyCommand(press: KeyPress, dialogOpen: boolean): KeyCommand | null {
  if (dialogOpen) return null;
  if (press.ctrlKey || press.metaKey || press.altKey) return null;
  if (press.focus === "text") return null;
  const command = KEYS.get(press.key) ?? null;
  // Enter on a button or link activates it, as everywhere else.
  if (command === "open" && press.focus === "control") return null;
  return command;
}

/** Classifies a focused element by its tag name (upper or lower case) and editability. */
export function focusKind(tagName: string | null, editable: boolean): FocusKind {
  const tag = (tagName ?? "").toLowerCase();
  if (editable || tag === "input" || tag === "textarea" || tag === "select") return "text";
  if (tag === "button" || tag === "a" || tag === "summary") return "control";
  return "other";
}

/** How far a key moves a list's selection: j and Down one on, k and Up one back, else 0. */
export function listStep(key: string): 1 | -1 | 0 {
  const command = KEYS.get(key);
  return command === "next" ? 1 : command === "prev" ? -1 : 0;
}

/**
 * The id the selection moves to among `ids` (in display order). With nothing selected (or a
 * selection not in the list), "next" starts at the top and "prev" at the bottom; the ends
 * do not wrap.
 */
export function moveSelection(ids: readonly string[], current: string | null, delta: 1 | -1): string | null {
  if (ids.length === 0) return null;
  const at = current === null ? -1 : ids.indexOf(current);
  if (at === -1) return delta === 1 ? ids[0] : ids[ids.length - 1];
  return ids[Math.min(ids.length - 1, Math.max(0, at + delta))];
}
