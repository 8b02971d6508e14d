/**
 * Counts repeated log events by key (a refusal reason, an error kind) so that
 * an adapter can write one line per key per interval instead of one per
 * event: junk traffic must not be able to flood the log. Pure: no timer, no
 * logger; times are passed in. The number of keys is bounded: beyond
 * `maxKeys` keys in one interval, events are counted under `overflowKey`.
 *
 * @example
 * const agg = new LogAggregation<{ address: string }>();
 * agg.record('bad_credentials', { address: '10.0.0.7' }, now);
 * for (const entry of agg.drain()) logger.warn({ reason: entry.key, count: entry.count, ...entry.sample }, 'mqtt refused');
 */
export interface AggregatedLogEntry<S> {
  readonly key: string;
  readonly count: number;
  /** The first event's context in this interval, as an example. */
  readonly sample: S;
  readonly firstAt: number;
  readonly lastAt: number;
}

interface Pending<S> {
  count: number;
  sample: S;
  firstAt: number;
  lastAt: number;
}

export class LogAggregation<S> {
  private pending = new Map<string, Pending<S>>();

  constructor(
    private readonly maxKeys = 32,
    private readonly overflowKey = 'other',
  ) {}

  record(key: string, sample: S, at: number): void {
    const slot = this.pending.has(key) || this.pending.size < this.maxKeys ? key : this.overflowKey;
    const entry = this.pending.get(slot);
    if (entry === undefined) {
      this.pending.set(slot, { count: 1, sample, firstAt: at, lastAt: at });
      return;
    }
    entry.count += 1;
    entry.lastAt = at;
  }

  /** Everything counted since the last drain, in first-seen order; starts a new interval. */
  drain(): AggregatedLogEntry<S>[] {
    const entries = [...this.pending].map(([key, p]) => ({ key, count: p.count, sample: p.sample, firstAt: p.firstAt, lastAt: p.lastAt }));
    this.pending = new Map();
    return entries;
  }

  /** Distinct keys waiting for the next drain. */
  get size(): number {
    return this.pending.size;
  }
}
