// Drawing a service's vitals: sparkline geometry and value formatting. Pure, so the tests can
// check them without a window.
import type { VitalPoint, VitalUnit } from "./bindings";

/** SVG polyline points for `points` in a `width`×`height` box; the y axis runs from 0 (or the
 * lowest value, when negative) to the highest value, so a flat healthy line sits near the
 * bottom and a spike reaches the top. Empty for fewer than two points. */
export function sparkline(points: VitalPoint[], width: number, height: number): string {
  if (points.length < 2) return "";
  const times = points.map((p) => Date.parse(p.t));
  const t0 = Math.min(...times);
  const t1 = Math.max(...times);
  const lo = Math.min(0, ...points.map((p) => p.v));
  const hi = Math.max(...points.map((p) => p.v));
  const span = hi - lo || 1;
  const tspan = t1 - t0 || 1;
  return points
    .map((p, i) => {
      const x = ((times[i] - t0) / tspan) * width;
      const y = height - ((p.v - lo) / span) * height;
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(" ");
}

/** A value as an engineer reads it: ratios as percentages, seconds as ms or s. */
export function formatValue(v: number, unit: VitalUnit): string {
  if (!Number.isFinite(v)) return "—";
  if (unit === "seconds") {
    return v < 1 ? `${Math.round(v * 1000)} ms` : `${v.toFixed(v < 10 ? 2 : 1)} s`;
  }
  const pct = v * 100;
  if (pct === 0) return "0 %";
  if (Math.abs(pct) < 1) return `${pct.toFixed(2)} %`;
  if (Math.abs(pct) < 10) return `${pct.toFixed(1)} %`;
  return `${Math.round(pct)} %`;
}

/** An objective or attainment, where the third nine matters: 0.999 → "99.9 %", 0.97271 →
 * "97.27 %", 1 → "100 %". */
export function percentPrecise(v: number): string {
  if (!Number.isFinite(v)) return "—";
  const text = (v * 100).toFixed(3).replace(/\.?0+$/, "");
  return `${text} %`;
}

/** The latest value and the peak of a series, or nulls without points. */
export function summary(points: VitalPoint[]): { latest: number | null; peak: number | null } {
  if (points.length === 0) return { latest: null, peak: null };
  return { latest: points[points.length - 1].v, peak: Math.max(...points.map((p) => p.v)) };
}

/** "99.95 % of 99.9 %", and how the budget stands in words. */
export function budgetWords(left: number): string {
  if (left < 0) return `exhausted (${Math.round(-left * 100)} % over)`;
  return `${Math.round(left * 100)} % left`;
}
