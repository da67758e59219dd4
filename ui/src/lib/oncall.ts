// The header's on-call line, from the backend's OnCallSummary. Pure, unit-tested.
import type { OnCallShift, OnCallSummary } from "./bindings";
import { clockTime } from "./timeline";

function where(s: OnCallShift): string {
  return s.schedule ?? s.escalation_policy ?? "on call";
}

/** "09:00", or "Tue 09:00" when the instant is not on the same local day as `now`. */
export function when(iso: string, now: string, tz: string): string {
  const day = (t: string) =>
    new Intl.DateTimeFormat("en-GB", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit" }).format(
      new Date(t),
    );
  const time = clockTime(iso, tz);
  if (day(iso) === day(now)) return time;
  const weekday = new Intl.DateTimeFormat("en-GB", { timeZone: tz, weekday: "short" }).format(new Date(iso));
  return `${weekday} ${time}`;
}

/** The header's line: who is on call for my policies, and until when; else my next shift. */
export function oncallLine(summary: OnCallSummary | null, now: string, tz: string): string | null {
  if (summary === null || summary.fetched_at === null) return null;
  const current = summary.current;
  if (current !== null) {
    const until = current.end === null ? "" : ` until ${when(current.end, now, tz)}`;
    return `on call: ${current.user_name} (${where(current)})${until}`;
  }
  const others = summary.now.map((s) => `${s.user_name} (${where(s)})`);
  const next = summary.next?.start ? `your next shift: ${when(summary.next.start, now, tz)}` : null;
  const parts = [others.length > 0 ? `on call: ${others.join(", ")}` : "you are not on call", next].filter(
    (p): p is string => p !== null,
  );
  return parts.join(" · ");
}

/** The hover text: every level on my policies, and my next shift. */
export function oncallDetails(summary: OnCallSummary | null, now: string, tz: string): string {
  if (summary === null || summary.fetched_at === null) return "on-call schedule not fetched yet";
  const lines = summary.now.map((s) => {
    const level = s.escalation_level === null ? "" : ` level ${s.escalation_level}`;
    const until = s.end === null ? "" : ` until ${when(s.end, now, tz)}`;
    return `${s.escalation_policy ?? where(s)}${level}: ${s.user_name}${until}`;
  });
  if (summary.next?.start) lines.push(`your next shift: ${where(summary.next)} from ${when(summary.next.start, now, tz)}`);
  lines.push(`fetched ${clockTime(summary.fetched_at, tz)}`);
  return lines.join("\n");
}
