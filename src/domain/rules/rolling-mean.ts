/**
 * A time window of samples with a running sum: O(1) amortised per in-order
 * sample (append at the tail, evict at the head), a short tail walk for a
 * sample that arrives slightly out of order. Plain data, so it snapshots as JSON.
 */
import { z } from 'zod';

export const rollingMeanSchema = z.object({
  ts: z.array(z.number()),
  values: z.array(z.number()),
  /** Index of the first live sample; evicted ones are compacted lazily. */
  head: z.number().int().nonnegative(),
  sum: z.number(),
  /** Latest event time the window has been advanced to. */
  end: z.number().nullable(),
  /** Smoothed gap between successive samples (ms): the stream's own cadence; null until two samples. */
  intervalMs: z.number().nullable().default(null),
});
export type RollingMean = z.infer<typeof rollingMeanSchema>;

export function createRollingMean(): RollingMean {
  return { ts: [], values: [], head: 0, sum: 0, end: null, intervalMs: null };
}

/** Weight of the newest gap in the smoothed cadence: follows a device that changes its interval within a few samples. */
const CADENCE_WEIGHT = 0.3;

/**
 * Notes the gap from the newest sample to one at `ts` (call before
 * `addSample`). Out-of-order and same-time samples say nothing about cadence.
 */
export function observeCadence(w: RollingMean, ts: number): void {
  if (w.end === null || ts <= w.end) return;
  const gap = ts - w.end;
  w.intervalMs = w.intervalMs === null ? gap : (1 - CADENCE_WEIGHT) * w.intervalMs + CADENCE_WEIGHT * gap;
}

/** Inserts a sample in ts order and evicts samples at or before `end − windowMs`. */
export function addSample(w: RollingMean, ts: number, value: number, windowMs: number): void {
  let i = w.ts.length;
  while (i > w.head && (w.ts[i - 1] ?? -Infinity) > ts) i--;
  if (i === w.ts.length) {
    w.ts.push(ts);
    w.values.push(value);
  } else {
    w.ts.splice(i, 0, ts);
    w.values.splice(i, 0, value);
  }
  w.sum += value;
  w.end = w.end === null ? ts : Math.max(w.end, ts);
  evict(w, w.end - windowMs);
}

function evict(w: RollingMean, after: number): void {
  while (w.head < w.ts.length && (w.ts[w.head] ?? Infinity) <= after) {
    w.sum -= w.values[w.head] ?? 0;
    w.head++;
  }
  if (w.head > 64 && w.head * 2 > w.ts.length) {
    w.ts = w.ts.slice(w.head);
    w.values = w.values.slice(w.head);
    w.head = 0;
    // Recompute to shed floating-point drift from the running sum.
    w.sum = w.values.reduce((a, b) => a + b, 0);
  }
}

export function sampleCount(w: RollingMean): number {
  return w.ts.length - w.head;
}

export function oldestTs(w: RollingMean): number | null {
  return sampleCount(w) > 0 ? (w.ts[w.head] ?? null) : null;
}

export function mean(w: RollingMean): number | null {
  const n = sampleCount(w);
  return n > 0 ? w.sum / n : null;
}

/** Live samples, oldest first (for evidence; O(window)). */
export function liveSamples(w: RollingMean): { ts: number; value: number }[] {
  const out: { ts: number; value: number }[] = [];
  for (let i = w.head; i < w.ts.length; i++) out.push({ ts: w.ts[i] ?? 0, value: w.values[i] ?? 0 });
  return out;
}

/** A compacted copy for snapshots. */
export function compactCopy(w: RollingMean): RollingMean {
  return { ts: w.ts.slice(w.head), values: w.values.slice(w.head), head: 0, sum: w.sum, end: w.end, intervalMs: w.intervalMs };
}
