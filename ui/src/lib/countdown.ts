// The confirmation dialog's clock: how long a plan's token still works, and the
// type-to-confirm check. Pure, unit-tested.

/** Whole seconds left until `expiresAt` (real time), never negative; 0 when it is unreadable. */
export function secondsLeft(expiresAt: string, nowMs: number): number {
  const end = Date.parse(expiresAt);
  if (Number.isNaN(end)) return 0;
  return Math.max(0, Math.ceil((end - nowMs) / 1000));
}

/** "1:42" (or "1:02:05" past an hour). */
export function clockDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** "expires in 1:42", or null once the plan has expired. */
export function countdownText(expiresAt: string, nowMs: number): string | null {
  const left = secondsLeft(expiresAt, nowMs);
  return left > 0 ? `expires in ${clockDuration(left)}` : null;
}

/** Type-to-confirm: exactly the name, nothing trimmed or case-folded (the backend agrees). */
export function typedMatches(expected: string | null, typed: string): boolean {
  return expected === null || typed === expected;
}
