import { describe, expect, it } from "vitest";
import type { KeyPress } from "./keys";
import { CHORD_MS, SHORTCUTS, globalKey } from "./nav";

function press(key: string, over: Partial<KeyPress> = {}): KeyPress {
  return { key, ctrlKey: false, metaKey: false, altKey: false, focus: "other", ...over };
}

describe("globalKey", () => {
  it("moves between views with g chords", () => {
    const g = globalKey(press("g"), null, 1000, false);
    expect(g).toEqual({ command: null, pending: { at: 1000 } });
    expect(globalKey(press("s"), g.pending, 1200, false)).toEqual({ command: { go: "shifts" }, pending: null });
    expect(globalKey(press("m"), g.pending, 1200, false).command).toEqual({ go: "morning" });
    expect(globalKey(press("t"), g.pending, 1200, false).command).toEqual({ go: "today" });
    expect(globalKey(press("r"), g.pending, 1200, false).command).toEqual({ go: "runbooks" });
    expect(globalKey(press("f"), g.pending, 1200, false).command).toEqual({ go: "search" });
  });
  it("lets a chord lapse, and any other key end it", () => {
    const pending = { at: 1000 };
    expect(globalKey(press("s"), pending, 1000 + CHORD_MS + 1, false)).toEqual({ command: null, pending: null });
    expect(globalKey(press("x"), pending, 1100, false)).toEqual({ command: null, pending: null });
    // `m` after a lapsed `g` is the plain key again.
    expect(globalKey(press("m"), pending, 1000 + CHORD_MS + 1, false).command).toBe("mark-read");
    // Shift on its way to `?` does not end a chord.
    expect(globalKey(press("Shift"), pending, 1100, false).pending).toBe(pending);
  });
  it("maps the single keys", () => {
    expect(globalKey(press("?"), null, 0, false).command).toBe("help");
    expect(globalKey(press("["), null, 0, false).command).toBe("prev-day");
    expect(globalKey(press("]"), null, 0, false).command).toBe("next-day");
    expect(globalKey(press("m"), null, 0, false).command).toBe("mark-read");
    expect(globalKey(press("/"), null, 0, false).command).toBe("search");
    expect(globalKey(press("j"), null, 0, false).command).toBeNull();
    // `f` alone is nothing (only after `g`).
    expect(globalKey(press("f"), null, 0, false).command).toBeNull();
  });
  it("stays out of fields, dialogs and modified keys", () => {
    expect(globalKey(press("g", { focus: "text" }), null, 0, false).pending).toBeNull();
    expect(globalKey(press("s", { focus: "text" }), { at: 0 }, 10, false).command).toBeNull();
    expect(globalKey(press("?"), null, 0, true).command).toBeNull();
    expect(globalKey(press("s", { ctrlKey: true }), { at: 0 }, 10, false).command).toBeNull();
    expect(globalKey(press("[", { altKey: true }), null, 0, false).command).toBeNull();
    // `/` typed in a field is a slash, not a search.
    expect(globalKey(press("/", { focus: "text" }), null, 0, false).command).toBeNull();
  });
  it("lists each shortcut once per place", () => {
    const ids = SHORTCUTS.map((s) => s.keys + s.where);
    expect(new Set(ids).size).toBe(ids.length);
  });
  it("lists every shortcut it knows", () => {
    const keys = SHORTCUTS.map((s) => s.keys);
    for (const k of ["g t", "g f", "/", "g r", "g s", "g m", "?", "[ / ]", "m", "Ctrl+S"]) expect(keys).toContain(k);
  });
});
