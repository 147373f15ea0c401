/**
 * One timer for the next due row (a reschedule, a periodic launch): the rows are the truth,
 * the timer only wakes the agent for a pass at that time. Re-armed after every pass from
 * the rows, so a restart rebuilds it and nothing lives only here.
 */
export class DueTimer {
  private timer: NodeJS.Timeout | null = null;
  private at: number | null = null;

  constructor(
    private readonly now: () => number,
    private readonly fire: () => void,
  ) {}

  /** Wakes at `at` (ms since the epoch); null disarms. A time already past fires at once. */
  arm(at: number | null): void {
    if (at === this.at && this.timer !== null) return;
    this.disarm();
    if (at === null) return;
    this.at = at;
    // setTimeout caps at ~24.8 days; a later time wakes early and re-arms on that pass.
    // A few ms late rather than early: Node may fire a timer a fraction of a ms before its time.
    const wait = Math.min(Math.max(0, at - this.now()) + 2, 2 ** 31 - 1);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.at = null;
      this.fire();
    }, wait);
  }

  disarm(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.at = null;
  }
}
