import { describe, expect, it } from "vitest";
import { coalesced } from "./coalesce";

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe("coalesced", () => {
  it("runs one at a time and folds the asks made meanwhile into one more run", async () => {
    const gates: ReturnType<typeof deferred>[] = [];
    let runs = 0;
    const read = coalesced(() => {
      runs += 1;
      const d = deferred();
      gates.push(d);
      return d.promise;
    });
    const first = read();
    void read();
    void read();
    const last = read();
    expect(runs).toBe(1);
    gates[0].resolve();
    await Promise.resolve();
    await Promise.resolve();
    expect(runs).toBe(2);
    gates[1].resolve();
    await first;
    await last;
    expect(runs).toBe(2);
    // Idle again: the next ask runs at once.
    const next = read();
    expect(runs).toBe(3);
    gates[2].resolve();
    await next;
  });

  it("recovers after a run that throws", async () => {
    let runs = 0;
    const read = coalesced(async () => {
      runs += 1;
      if (runs === 1) throw new Error("boom");
    });
    await expect(read()).rejects.toThrow("boom");
    await read();
    expect(runs).toBe(2);
  });
});
