/** What both stores agree on about the shape of telemetry (see README.md). */
import type { Measurement } from '../../devices/device-type.js';
import type { PointTags, SourceSeries } from './telemetry.store.js';

/** Every measurement a point can go to; `latest()` looks in these. */
export const TELEMETRY_MEASUREMENTS = ['vitals', 'activity', 'environment', 'device_health', 'events'] as const satisfies readonly (Measurement | 'events')[];

/** Start of the window holding `ts`: a multiple of `windowMs` since the epoch (also before 1970). */
export function windowStart(ts: number, windowMs: number): number {
  return ts - (((ts % windowMs) + windowMs) % windowMs);
}

/** The tags that name a source in `rangeBySource`: InfluxQL `GROUP BY` these. */
export const SOURCE_TAGS = ['deviceId', 'deviceType'] as const satisfies readonly (keyof PointTags)[];

/**
 * The order `rangeBySource` answers in, by UTF-16 code units rather than
 * locale: both stores sort with this, so they agree on ids in any script.
 */
export function compareSources(a: SourceSeries, b: SourceSeries): number {
  return compareCodeUnits(a.deviceId, b.deviceId) || compareCodeUnits(a.deviceType, b.deviceType);
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
