/**
 * Asia/Shanghai local time. China has kept UTC+08:00 without daylight saving
 * since 1991, so a fixed offset is exact for every date the simulator uses.
 */
export const LOCAL_OFFSET_MS = 8 * 3_600_000;
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Epoch ms of the local midnight that starts the local day containing `ts`. */
export function localMidnight(ts: number): number {
  return Math.floor((ts + LOCAL_OFFSET_MS) / DAY_MS) * DAY_MS - LOCAL_OFFSET_MS;
}

/** Index of the local day (days since 1970-01-01 local). */
export function localDayIndex(ts: number): number {
  return Math.floor((ts + LOCAL_OFFSET_MS) / DAY_MS);
}

/** Epoch ms of local midnight of day index `day`. */
export function midnightOfDay(day: number): number {
  return day * DAY_MS - LOCAL_OFFSET_MS;
}

/** Milliseconds since local midnight. */
export function localMsOfDay(ts: number): number {
  return ts - localMidnight(ts);
}

/**
 * Parses a local clock time, "HH:MM" or "HH:MM:SS", into ms after midnight.
 * Hours may exceed 23 to reach into the next day ("25:30" = 01:30 next day).
 */
export function parseClock(hm: string): number {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(hm);
  if (!m) throw new Error(`bad local time "${hm}": expected HH:MM or HH:MM:SS`);
  return ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3] ?? 0)) * 1000;
}

/** "2026-03-15 02:05:00" in local time, for logs and reports. */
export function formatLocal(ts: number): string {
  return new Date(ts + LOCAL_OFFSET_MS).toISOString().replace('T', ' ').slice(0, 19);
}
