/**
 * The telemetry store: time series in InfluxDB (1.x or 2.x) or, with no
 * InfluxDB configured, the embedded SQLite store. Both pass
 * `test/integration/telemetry/telemetry-store.contract.ts`.
 */
import type { Measurement } from '../../devices/device-type.js';

export type FieldValue = number | boolean | string;

export interface PointTags {
  readonly deviceId: string;
  readonly deviceType: string;
  readonly residentId?: string;
  readonly districtCode?: string;
  readonly streetCode?: string;
  /** Only on the `events` measurement: the event name (fall, sos, …). */
  readonly event?: string;
}

/**
 * A point is identified by (measurement, tags, ts): writing the same point
 * twice overwrites it, which is how redelivered messages stay single.
 */
export interface TelemetryPoint {
  readonly measurement: Measurement | 'events';
  readonly tags: PointTags;
  /** Device time, epoch ms. */
  readonly ts: number;
  readonly fields: Readonly<Record<string, FieldValue>>;
}

export interface LatestValue {
  readonly measurement: string;
  readonly field: string;
  readonly value: FieldValue;
  readonly ts: number;
}

export type Aggregate = 'mean' | 'min' | 'max' | 'count' | 'last';

export interface RangeQuery {
  readonly measurement: Measurement | 'events';
  readonly field: string;
  /** Exactly one of these selects the series. */
  readonly deviceId?: string;
  readonly residentId?: string;
  /** [from, to) in epoch ms. */
  readonly from: number;
  readonly to: number;
  readonly windowMs: number;
  readonly aggregate: Aggregate;
}

export interface WindowValue {
  /** Start of the window, epoch ms, aligned to multiples of windowMs since the epoch. */
  readonly ts: number;
  readonly value: number;
}

/**
 * The windows of one source: the device that took the readings, with the
 * type it was tagged with (`care-bed`, `wearable`, …).
 */
export interface SourceSeries {
  readonly deviceId: string;
  readonly deviceType: string;
  readonly windows: readonly WindowValue[];
}

export interface TelemetryStore {
  /** Writes idempotently; throws when the store refuses or cannot be reached (the caller retries). */
  write(points: readonly TelemetryPoint[]): Promise<void>;
  /** The newest value of every field the device has reported (numeric, boolean or string). */
  latest(deviceId: string): Promise<LatestValue[]>;
  /** Aggregated windows over [from, to); empty windows are omitted. */
  range(query: RangeQuery): Promise<WindowValue[]>;
  /**
   * The same windows, one series per device instead of one over all of them:
   * a resident's care bed and wearable each get their own. Sorted by device id
   * (then type); a device with no window in [from, to) is left out.
   */
  rangeBySource(query: RangeQuery): Promise<SourceSeries[]>;
  /** Cheap reachability check for /readyz. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export const TELEMETRY_STORE = Symbol('TelemetryStore');
