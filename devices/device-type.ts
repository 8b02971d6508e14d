/**
 * What a device type is, as data (STYLE.md §9, after Home Assistant's
 * EntityDescription): its telemetry and event schemas, metric descriptors and
 * timing. Adding a metric is a change to a type's descriptor, not to code.
 */
import type { z } from 'zod';

export const DEVICE_TYPES = [
  'care-bed',
  'wearable',
  'fall-radar',
  'sos-button',
  'smoke-detector',
  'gas-detector',
  'water-leak',
  'door-contact',
  'pir-motion',
] as const;
export type DeviceType = (typeof DEVICE_TYPES)[number];

/**
 * InfluxDB measurements by domain (Grafana-friendly): vitals, activity,
 * environment, device_health. Events go to `events`.
 */
export type Measurement = 'vitals' | 'activity' | 'environment' | 'device_health';

export interface MetricDescriptor {
  /** Field name in the telemetry payload and in InfluxDB, camelCase. */
  readonly key: string;
  readonly measurement: Measurement;
  readonly kind: 'number' | 'boolean' | 'string';
  /** UCUM-ish unit: 'bpm', '/min', '%', 'Cel', 'count', 'ppm', 'dBm', 'deg'… empty for booleans/strings. */
  readonly unit: string;
  /** Label shown to caregivers (zh-CN). */
  readonly label: string;
  /** Physically plausible range: a reading outside it is rejected as `out_of_range`, not stored. */
  readonly range?: readonly [min: number, max: number];
  /**
   * Key of a boolean metric of the same message that says whether anyone is
   * there to be measured (`inBed`, `worn`). While it is `false` this reading is
   * nobody's — an empty mattress or a watch on the nightstand reads noise — so
   * it is dropped at decoding: not range-checked, not stored, not judged, and
   * never averaged into a resident's vitals. Absent gate: the reading counts.
   */
  readonly onlyWhile?: string;
}

export interface DeviceFixtures {
  /** Payloads by channel ('telemetry' | 'event' | 'status' | 'batch') that must be accepted. */
  readonly valid: readonly DeviceFixture[];
  /** Accepted too, at the edges of ranges and optionality. */
  readonly edge: readonly DeviceFixture[];
  /** Must be rejected with the named reason. */
  readonly invalid: readonly (DeviceFixture & { readonly reason: string })[];
}

export interface DeviceFixture {
  readonly name: string;
  readonly channel: 'telemetry' | 'event' | 'status' | 'batch';
  /** Raw payload; a string is sent as-is (for "not JSON" cases). */
  readonly payload: unknown;
}

export interface DeviceTypeDescriptor {
  readonly type: DeviceType;
  /** zh-CN name, e.g. 智能床垫. */
  readonly label: string;
  readonly metrics: readonly MetricDescriptor[];
  /** Schema of a telemetry message (identity + the type's metric fields). */
  readonly telemetry: z.ZodType;
  /** Discriminated union (on `event`) of the type's events, each with identity fields. */
  readonly event: z.ZodType;
  /** Nominal intervals the firmware keeps, in seconds. */
  readonly telemetryIntervalS: number | null;
  readonly heartbeatIntervalS: number;
  /**
   * The longest heartbeat interval the platform accepts from a device of this
   * type, however long the one it announces (`heartbeatS`): a smoke detector
   * announcing a day would otherwise be "online" for three days after its
   * battery died. Life-safety types are held to minutes.
   */
  readonly maxHeartbeatIntervalS: number;
  readonly batteryPowered: boolean;
  readonly fixtures: DeviceFixtures;
}
