/** Time and randomness are injected so restart delays and timestamps test exactly. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Returns a float in [0, 1). */
export type Rand = () => number;
