/** What both stores agree on about the shape of telemetry (see README.md). */
import type { Measurement } from '../../devices/device-type.js';

/** Every measurement a point can go to; `latest()` looks in these. */
export const TELEMETRY_MEASUREMENTS = ['vitals', 'activity', 'environment', 'device_health', 'events'] as const satisfies readonly (Measurement | 'events')[];

/** Start of the window holding `ts`: a multiple of `windowMs` since the epoch (also before 1970). */
export function windowStart(ts: number, windowMs: number): number {
  return ts - (((ts % windowMs) + windowMs) % windowMs);
}
