// The window-wide keys: `g` chords to move between views, `/` to search, `?` for the list of
// shortcuts, `[` / `]` for the day on the timeline, `m` to mark the morning read. Pure decisions; App.svelte applies
// them, and only in the view they belong to.
import type { KeyPress } from "./keys";

export type View = "today" | "search" | "runbooks" | "shifts" | "morning";

export type GlobalCommand =
  | { go: View }
  | "help"
  | "search"
  | "prev-day"
  | "next-day"
  | "mark-read";

/** A `g` pressed and waiting for its second key, since `at` (ms). */
export interface Pending {
  at: number;
}

/** How long the second key of a chord may come after the `g`. */
export const CHORD_MS = 1500;

const CHORDS = new Map<string, View>([
  ["t", "today"],
  ["f", "search"],
  ["r", "runbooks"],
  ["s", "shifts"],
  ["m", "morning"],
]);

const SINGLE = new Map<string, GlobalCommand>([
  ["?", "help"],
  // The Search view with its field focused (DESIGN.md: "`/` search").
  ["/", "search"],
  ["[", "prev-day"],
  ["]", "next-day"],
  ["m", "mark-read"],
]);

/**
 * The command a key press means window-wide, and the chord still pending after it. Nothing
 * fires while a dialog is open, while typing in a field, or with Ctrl/Meta/Alt held; a `g`
 * waits up to CHORD_MS for its second key, and any other key ends the wait.
 */
export function globalKey(
  press: KeyPress,
  pending: Pending | null,
  nowMs: number,
  dialogOpen: boolean,
): { command: GlobalCommand | null; pending: Pending | null } {
  if (dialogOpen || press.ctrlKey || press.metaKey || press.altKey || press.focus === "text") {
    return { command: null, pending: null };
  }
  if (pending !== null && nowMs - pending.at <= CHORD_MS) {
    const view = CHORDS.get(press.key);
    if (view !== undefined) return { command: { go: view }, pending: null };
    if (press.key === "Shift") return { command: null, pending };
  }
  if (press.key === "g") return { command: null, pending: { at: nowMs } };
  return { command: SINGLE.get(press.key) ?? null, pending: null };
}

export interface Shortcut {
  keys: string;
  what: string;
  /** Where it works: "everywhere", or the view's name. */
  where: string;
}

/** The `?` list. */
export const SHORTCUTS: Shortcut[] = [
  { keys: "g t", what: "Today's timeline", where: "everywhere" },
  { keys: "g f", what: "Search the whole history (find)", where: "everywhere" },
  { keys: "/", what: "Search: focus the search field", where: "everywhere" },
  { keys: "g r", what: "Runbooks", where: "everywhere" },
  { keys: "g s", what: "Shifts and the handoff", where: "everywhere" },
  { keys: "g m", what: "Morning read", where: "everywhere" },
  { keys: "?", what: "This list", where: "everywhere" },
  { keys: "j / k", what: "Next / previous entry", where: "Today" },
  { keys: "Enter", what: "Open the selected entry", where: "Today" },
  { keys: "Escape", what: "Close the panel or dialog", where: "Today" },
  { keys: "a / r", what: "Acknowledge / resolve the selected page", where: "Today" },
  { keys: "[ / ]", what: "Previous / next day", where: "Today" },
  { keys: "↓", what: "From the search field to the results", where: "Search" },
  { keys: "j / k", what: "Next / previous result", where: "Search" },
  { keys: "Enter", what: "Search now (in the field); open the result on its day in the timeline", where: "Search" },
  { keys: "Escape", what: "From the results back to the search field", where: "Search" },
  { keys: "Ctrl+S", what: "Save the handoff's summary and watch list", where: "Shifts" },
  { keys: "m", what: "Mark the morning read as read", where: "Morning" },
];
