/**
 * Tells when one key has seen `threshold` events within `windowMs` (say, three
 * session takeovers of one device in ten minutes), once per episode: after it
 * fires for a key it stays quiet for that key until the key has had a whole
 * window without events. Pure: times are passed in. Memory is bounded by
 * `maxKeys` (oldest key dropped first) so made-up keys cannot exhaust it.
 *
 * @example
 * const takeovers = new RepeatedEventDetector({ threshold: 3, windowMs: 10 * 60_000 });
 * if (takeovers.record(deviceId, now)) sink.raise({ kind: 'mqtt_session_takeover', ... });
 */
export interface RepeatedEventPolicy {
  readonly threshold: number;
  readonly windowMs: number;
  readonly maxKeys?: number;
}

interface KeyEvents {
  /** Event times within the window, oldest first (at most `threshold` kept). */
  times: number[];
  /** Time of the last event after which the key fired, while its episode lasts. */
  firedAt: number | undefined;
  lastAt: number;
}

export class RepeatedEventDetector {
  private readonly keys = new Map<string, KeyEvents>();
  private readonly maxKeys: number;

  constructor(private readonly policy: RepeatedEventPolicy) {
    if (policy.threshold < 1 || policy.windowMs <= 0) throw new Error('RepeatedEventDetector: threshold ≥ 1 and windowMs > 0');
    this.maxKeys = policy.maxKeys ?? 10_000;
  }

  /** Records one event; true when this event completes an episode that has not fired yet. */
  record(key: string, at: number): boolean {
    let state = this.keys.get(key);
    if (state === undefined) {
      if (this.keys.size >= this.maxKeys) this.evictOne(at);
      state = { times: [], firedAt: undefined, lastAt: at };
      this.keys.set(key, state);
    }
    if (state.firedAt !== undefined && at - state.lastAt > this.policy.windowMs) state.firedAt = undefined;
    state.lastAt = at;
    state.times = state.times.filter((t) => at - t < this.policy.windowMs);
    state.times.push(at);
    if (state.times.length > this.policy.threshold) state.times.shift();
    if (state.firedAt !== undefined || state.times.length < this.policy.threshold) return false;
    state.firedAt = at;
    return true;
  }

  /** Events of `key` inside the window ending at `at` (at most `threshold`). */
  countIn(key: string, at: number): number {
    return this.keys.get(key)?.times.filter((t) => at - t < this.policy.windowMs).length ?? 0;
  }

  /** Forgets keys without an event for a whole window. */
  prune(at: number): void {
    for (const [key, state] of this.keys) if (at - state.lastAt > this.policy.windowMs) this.keys.delete(key);
  }

  get size(): number {
    return this.keys.size;
  }

  private evictOne(at: number): void {
    this.prune(at);
    if (this.keys.size < this.maxKeys) return;
    const oldest = this.keys.keys().next();
    if (oldest.done !== true) this.keys.delete(oldest.value);
  }
}
