// The postmortem dialog's timezone choice: the cockpit's zone, UTC, this computer's, or a typed
// IANA name. Pure, unit-tested.

export type ZoneChoice = "cockpit" | "utc" | "browser" | "other";

/** Whether the JavaScript engine knows `name` as an IANA zone (the backend checks again). */
export function validTimeZone(name: string): boolean {
  if (name.trim() === "" || name !== name.trim()) return false;
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** This computer's zone, as the webview reports it (null when it reports none). */
export function browserTimeZone(): string | null {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone ?? null;
  } catch {
    return null;
  }
}

/**
 * The zone to ask the backend for: `zone` null means the backend's default (the cockpit's);
 * `problem` says why nothing can be asked yet (a typed name that is not a zone).
 */
export function zoneFor(
  choice: ZoneChoice,
  typed: string,
  browser: string | null,
): { zone: string | null; problem: string | null } {
  switch (choice) {
    case "cockpit":
      return { zone: null, problem: null };
    case "utc":
      return { zone: "UTC", problem: null };
    case "browser":
      return browser === null ? { zone: null, problem: "This computer reports no timezone." } : { zone: browser, problem: null };
    case "other": {
      const name = typed.trim();
      if (name === "") return { zone: null, problem: "Type an IANA timezone, such as America/New_York." };
      if (!validTimeZone(name)) return { zone: null, problem: `“${name}” is not a timezone this computer knows (IANA names, such as Asia/Tokyo).` };
      return { zone: name, problem: null };
    }
  }
}
