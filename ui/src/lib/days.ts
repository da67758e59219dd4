// Day navigation on the timeline: local calendar days as "YYYY-MM-DD", stepped by calendar
// (never by 24 hours, which breaks on the days clocks change), and how long a local day is.
// Pure, unit-tested.

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `s` is a real calendar day written as YYYY-MM-DD. */
export function isDay(s: string): boolean {
  const m = DAY.exec(s);
  if (m === null) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

function parts(day: string): [number, number, number] {
  const m = DAY.exec(day);
  if (m === null) throw new Error(`not a day: ${day}`);
  return [Number(m[1]), Number(m[2]) - 1, Number(m[3])];
}

function format(d: Date): string {
  return [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()]
    .map((n, i) => String(n).padStart(i === 0 ? 4 : 2, "0"))
    .join("-");
}

/** The calendar day `n` days after `day` (before, when negative). */
export function addDays(day: string, n: number): string {
  const [y, m, d] = parts(day);
  return format(new Date(Date.UTC(y, m, d + n)));
}

/** The local calendar day an instant falls on in `tz`. */
export function dayOf(iso: string, tz: string): string {
  const p = new Intl.DateTimeFormat("en-GB", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(
    new Date(iso),
  );
  const get = (t: string) => p.find((x) => x.type === t)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")}`;
}

/**
 * The day the timeline shows after stepping `delta` days from `shown` (null: today). Never
 * beyond today; returns null when the step lands on today (the live view).
 */
export function stepDay(shown: string | null, today: string, delta: number): string | null {
  const next = addDays(shown ?? today, delta);
  return next >= today ? null : next;
}

/** A chosen day (the date input): null for today or a day after it, the day otherwise. */
export function chooseDay(value: string, today: string): string | null {
  if (!isDay(value) || value >= today) return null;
  return value;
}

/** Offset of `tz` from UTC at an instant, in minutes (east positive). */
function offsetMinutes(ms: number, tz: string): number {
  const p = new Intl.DateTimeFormat("en-GB", {
    timeZone: tz,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  }).formatToParts(new Date(ms));
  const get = (t: string) => Number(p.find((x) => x.type === t)?.value ?? "0");
  const local = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return Math.round((local - Math.floor(ms / 1000) * 1000) / 60000);
}

/** The instant a local day starts in `tz` (its first moment, even where midnight is skipped). */
export function dayStart(day: string, tz: string): number {
  const [y, m, d] = parts(day);
  const wall = Date.UTC(y, m, d);
  let t = wall - offsetMinutes(wall, tz) * 60000;
  t = wall - offsetMinutes(t, tz) * 60000;
  // Midnight skipped by a spring-forward change: the day starts at the first instant that is on it.
  if (dayOf(new Date(t).toISOString(), tz) !== day) t += 3600000;
  return t;
}

/** How many hours a local day lasts in `tz`: 24, or 23 / 25 on the days clocks change. */
export function dayHours(day: string, tz: string): number {
  return Math.round((dayStart(addDays(day, 1), tz) - dayStart(day, tz)) / 3600000);
}

/** The heading of a shown day: "Today", "Yesterday", else "Sunday 29 March 2026". */
export function dayHeading(day: string, today: string): string {
  if (day === today) return "Today";
  if (day === addDays(today, -1)) return "Yesterday";
  const [y, m, d] = parts(day);
  // Assembled from parts: engines disagree on the punctuation of the whole.
  const p = new Intl.DateTimeFormat("en-GB", {
    timeZone: "UTC",
    weekday: "long",
    day: "numeric",
    month: "long",
    year: "numeric",
  }).formatToParts(new Date(Date.UTC(y, m, d)));
  const get = (t: string) => p.find((x) => x.type === t)?.value ?? "";
  return `${get("weekday")} ${get("day")} ${get("month")} ${get("year")}`;
}
