// Vendor text made safe to read. Rendering is always as text (Svelte escapes it); this
// handles what escaping cannot: characters that reorder or hide what is shown.

// Bidirectional overrides and isolates (the "Trojan Source" characters), other format
// controls that hide text, and C0/C1 controls except tab and newline.
const HIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/**
 * Vendor text as the user should read it: characters that reorder or hide text are shown as
 * `⟨U+202E⟩` instead of acting, so a label cannot pretend to say something else. Everything
 * else (markup included) stays as it is and is rendered as text, never as HTML.
 */
export function visibleText(text: string): string {
  return text.replace(HIDDEN, (c) => `⟨U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}⟩`);
}
