import { describe, expect, it } from "vitest";
import { focusKind, keyCommand, listStep, moveSelection, type KeyPress } from "./keys";

function press(key: string, over: Partial<KeyPress> = {}): KeyPress {
  return { key, ctrlKey: false, metaKey: false, altKey: false, focus: "other", ...over };
}

describe("keyCommand", () => {
  it("maps the keyboard map", () => {
    expect(keyCommand(press("j"), false)).toBe("next");
    expect(keyCommand(press("ArrowDown"), false)).toBe("next");
    expect(keyCommand(press("k"), false)).toBe("prev");
    expect(keyCommand(press("ArrowUp"), false)).toBe("prev");
    expect(keyCommand(press("Enter"), false)).toBe("open");
    expect(keyCommand(press("Escape"), false)).toBe("close");
    expect(keyCommand(press("a"), false)).toBe("acknowledge");
    expect(keyCommand(press("r"), false)).toBe("resolve");
    expect(keyCommand(press("x"), false)).toBeNull();
    expect(keyCommand(press("A"), false)).toBeNull();
  });
  it("fires nothing while the dialog is open", () => {
    for (const k of ["j", "k", "Enter", "Escape", "a", "r"]) expect(keyCommand(press(k), true)).toBeNull();
  });
  it("leaves every key to text fields", () => {
    for (const k of ["j", "a", "r", "Enter", "Escape"]) expect(keyCommand(press(k, { focus: "text" }), false)).toBeNull();
  });
  it("leaves Enter to a focused button or link, but still moves from one", () => {
    expect(keyCommand(press("Enter", { focus: "control" }), false)).toBeNull();
    expect(keyCommand(press("j", { focus: "control" }), false)).toBe("next");
    expect(keyCommand(press("Escape", { focus: "control" }), false)).toBe("close");
  });
  it("ignores chords with Ctrl, Meta or Alt", () => {
    expect(keyCommand(press("r", { ctrlKey: true }), false)).toBeNull();
    expect(keyCommand(press("a", { metaKey: true }), false)).toBeNull();
    expect(keyCommand(press("j", { altKey: true }), false)).toBeNull();
  });
});

describe("focusKind", () => {
  it("classifies fields, controls and the rest", () => {
    expect(focusKind("INPUT", false)).toBe("text");
    expect(focusKind("textarea", false)).toBe("text");
    expect(focusKind("SELECT", false)).toBe("text");
    expect(focusKind("DIV", true)).toBe("text");
    expect(focusKind("BUTTON", false)).toBe("control");
    expect(focusKind("A", false)).toBe("control");
    expect(focusKind("LI", false)).toBe("other");
    expect(focusKind(null, false)).toBe("other");
  });
});

describe("listStep", () => {
  it("moves one on for j and Down, one back for k and Up, and not at all otherwise", () => {
    expect(["j", "ArrowDown", "k", "ArrowUp", "Enter", "J", "a"].map(listStep)).toEqual([1, 1, -1, -1, 0, 0, 0]);
  });
});

describe("moveSelection", () => {
  const ids = ["a", "b", "c"];
  it("moves one step without wrapping", () => {
    expect(moveSelection(ids, "a", 1)).toBe("b");
    expect(moveSelection(ids, "b", -1)).toBe("a");
    expect(moveSelection(ids, "c", 1)).toBe("c");
    expect(moveSelection(ids, "a", -1)).toBe("a");
  });
  it("starts at the top going down and at the bottom going up", () => {
    expect(moveSelection(ids, null, 1)).toBe("a");
    expect(moveSelection(ids, null, -1)).toBe("c");
    expect(moveSelection(ids, "gone", 1)).toBe("a");
  });
  it("has nothing to select in an empty list", () => {
    expect(moveSelection([], null, 1)).toBeNull();
  });
});
