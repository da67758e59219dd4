// Reads that may be asked for faster than they answer (a sync sends bursts of change events):
// one runs at a time, and asks made meanwhile become a single run after it. Unit-tested.

/**
 * Wraps `run` so that at most one call is in flight; calls made while it runs are folded into
 * one more run once it finishes. The returned promise settles when the data is current.
 */
export function coalesced(run: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let again = false;
  return () => {
    if (running !== null) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await run();
        } while (again);
      } finally {
        running = null;
      }
    })();
    return running;
  };
}
