/**
 * How many task starts run at once (from "Received" to the Started row). A start is mostly
 * the agent's own synchronous work (the task directory, the cgroup, the rows) between short
 * waits on the spawner, so a few at a time keep both cores busy, while 1,000 allocations
 * placed in one pass no longer build 1,000 task directories in one turn of the event loop
 * (measured: a 2.5 s stall, every API request waiting behind it).
 */
export type StartSlot = () => Promise<() => void>;

export function createStartSlots(limit: number): StartSlot {
  let free = Math.max(1, limit);
  const waiting: (() => void)[] = [];
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else free++;
  };
  return async () => {
    if (free > 0) {
      free--;
      // Still a turn of the loop: a burst of starts never runs as one synchronous stretch.
      await new Promise<void>((r) => setImmediate(r));
    } else {
      await new Promise<void>((r) => waiting.push(r));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      release();
    };
  };
}

/** No limit (tests that drive one runner by hand). */
export const unlimitedStarts: StartSlot = async () => () => undefined;
