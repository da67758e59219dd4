import { describe, expect, it } from "vitest";
import { budgetWords, formatValue, percentPrecise, sparkline, summary } from "./vitals";

const at = (minute: number, v: number) => ({ t: new Date(Date.UTC(2026, 4, 4, 6, minute)).toISOString(), v });

describe("sparkline", () => {
  it("spans the box, with the peak at the top and zero at the bottom", () => {
    const line = sparkline([at(0, 0), at(5, 2), at(10, 1)], 100, 20);
    expect(line).toBe("0.0,20.0 50.0,0.0 100.0,10.0");
  });
  it("draws nothing for a single point", () => {
    expect(sparkline([at(0, 1)], 100, 20)).toBe("");
  });
  it("keeps a flat line inside the box", () => {
    expect(sparkline([at(0, 0), at(1, 0)], 10, 10)).toBe("0.0,10.0 10.0,10.0");
  });
});

describe("formatValue", () => {
  it("shows ratios as percentages and seconds as ms or s", () => {
    expect(formatValue(0.001, "ratio")).toBe("0.10 %");
    expect(formatValue(0.35, "ratio")).toBe("35 %");
    expect(formatValue(0.052, "ratio")).toBe("5.2 %");
    expect(formatValue(0.25, "seconds")).toBe("250 ms");
    expect(formatValue(2.4, "seconds")).toBe("2.40 s");
    expect(formatValue(Number.NaN, "seconds")).toBe("—");
  });
});

describe("summary and budget", () => {
  it("takes the latest and the peak", () => {
    expect(summary([at(0, 1), at(1, 3), at(2, 2)])).toEqual({ latest: 2, peak: 3 });
    expect(summary([])).toEqual({ latest: null, peak: null });
  });
  it("says how much budget is left or how far it is overspent", () => {
    expect(budgetWords(0.42)).toBe("42 % left");
    expect(budgetWords(-1.5)).toBe("exhausted (150 % over)");
  });
});

describe("percentPrecise", () => {
  it("keeps the nines an SLO is about", () => {
    expect(percentPrecise(0.999)).toBe("99.9 %");
    expect(percentPrecise(0.97271)).toBe("97.271 %");
    expect(percentPrecise(1)).toBe("100 %");
    expect(percentPrecise(0.9995)).toBe("99.95 %");
  });
});
