/**
 * Simulated time. Accelerated runs replay the past: simulated time starts at
 * `startAt` and runs `speed` times faster than real time, but never passes
 * real now, because the platform rejects timestamps more than
 * MAX_CLOCK_AHEAD_MS ahead of its clock. Once it catches up it runs live.
 */
export interface RealClock {
  now(): number;
}

export const systemClock: RealClock = { now: () => Date.now() };

export class SimClock {
  private readonly realStart: number;

  constructor(
    readonly startAt: number,
    readonly speed: number,
    readonly real: RealClock = systemClock,
  ) {
    if (!(speed > 0)) throw new Error(`speed must be > 0, got ${speed}`);
    this.realStart = real.now();
    if (startAt > this.realStart) throw new Error('simulated time cannot start in the future');
  }

  /** Simulated now (epoch ms). */
  now(): number {
    const real = this.real.now();
    return Math.min(this.startAt + (real - this.realStart) * this.speed, real);
  }

  /** Real time at which simulated time reaches `simTs`. */
  realAt(simTs: number): number {
    return Math.max(this.realStart + (simTs - this.startAt) / this.speed, simTs);
  }

  realNow(): number {
    return this.real.now();
  }

  /** Real milliseconds until simulated time reaches `simTs` (0 when already there). */
  realDelayUntil(simTs: number): number {
    const real = this.real.now();
    const sim = this.now();
    if (simTs <= sim) return 0;
    const accelerated = this.startAt + (real - this.realStart) * this.speed;
    // Still replaying the past: the gap shrinks `speed` times faster than real time,
    // unless the target lies beyond the point where simulation meets real time.
    if (accelerated < real) {
      const catchUpReal = (real - accelerated) / (this.speed - 1 || Number.POSITIVE_INFINITY);
      const catchUpAt = real + catchUpReal;
      if (this.speed > 1 && simTs > catchUpAt) return catchUpReal + (simTs - catchUpAt);
      return (simTs - sim) / this.speed;
    }
    return simTs - sim;
  }
}
