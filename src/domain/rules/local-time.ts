/**
 * District local time from event time, with Intl only (no tz library). The
 * zone comes from the district config (Asia/Shanghai for all districts so
 * far); nothing here assumes +08:00. Window arithmetic uses milliseconds of
 * the local day, exact for zones without DST (China); in a DST zone a window
 * edge on a transition day would be off by the shift.
 */
import type { LocalWindow } from '../care-plans/rule-settings.js';

export const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Milliseconds since local midnight at instant `ts`. */
export function localMsOfDay(ts: number, timeZone: string): number {
  let h = 0;
  let m = 0;
  let s = 0;
  for (const part of formatterFor(timeZone).formatToParts(ts)) {
    if (part.type === 'hour') h = Number(part.value);
    else if (part.type === 'minute') m = Number(part.value);
    else if (part.type === 'second') s = Number(part.value);
  }
  return ((h * 60 + m) * 60 + s) * 1000 + (((ts % 1000) + 1000) % 1000);
}

function parseHm(hm: string): number {
  const [h, m] = hm.split(':');
  return (Number(h) * 60 + Number(m)) * 60_000;
}

/** Whether local time at `ts` falls in [start, end); across midnight when start > end. */
export function isInLocalWindow(ts: number, timeZone: string, w: LocalWindow): boolean {
  return inWindow(localMsOfDay(ts, timeZone), parseHm(w.start), parseHm(w.end));
}

function inWindow(msOfDay: number, start: number, end: number): boolean {
  if (start === end) return false;
  return start < end ? msOfDay >= start && msOfDay < end : msOfDay >= start || msOfDay < end;
}

const mod = (a: number, n: number): number => ((a % n) + n) % n;

/**
 * When `afterMs` of time OUTSIDE the rest windows will have passed since `from`.
 * Inactivity does not accrue while the resident is meant to rest (nap, night):
 * an elder asleep 22:00–06:00 is not "inactive".
 */
export function addActiveTime(from: number, afterMs: number, timeZone: string, rest: readonly LocalWindow[]): number {
  const windows = rest.map((w) => ({ start: parseHm(w.start), end: parseHm(w.end) })).filter((w) => w.start !== w.end);
  let t = from;
  let remaining = afterMs;
  // Each step crosses at least one window edge; a day has at most 2 per window.
  for (let step = 0; step < 64; step++) {
    const msOfDay = localMsOfDay(t, timeZone);
    const containing = windows.filter((w) => inWindow(msOfDay, w.start, w.end));
    if (containing.length > 0) {
      t += Math.max(...containing.map((w) => mod(w.end - msOfDay, DAY_MS)));
      continue;
    }
    const nextStart = windows.length === 0 ? Infinity : t + Math.min(...windows.map((w) => mod(w.start - msOfDay, DAY_MS)));
    if (t + remaining <= nextStart) return t + remaining;
    remaining -= nextStart - t;
    t = nextStart;
  }
  return t + remaining;
}
