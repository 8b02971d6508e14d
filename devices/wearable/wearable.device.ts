/**
 * 智能手环 — a wrist band with optical heart rate, SpO2, skin temperature,
 * pedometer and GPS, battery powered. Every telemetry field is optional (no
 * GPS fix indoors, SpO2 skipped while moving), but a message carries at least
 * one metric (the decoder rejects an empty one as `schema`).
 */
import { z } from 'zod';
import { loadFixtures } from '../device-fixtures.js';
import type { DeviceTypeDescriptor } from '../device-type.js';
import { messageIdentitySchema } from '../protocol.js';
import edge from './fixtures/edge.json' with { type: 'json' };
import invalid from './fixtures/invalid.json' with { type: 'json' };
import valid from './fixtures/valid.json' with { type: 'json' };

const identity = messageIdentitySchema.shape;

/** @example {"seq":5021,"ts":1773536400000,"heartRate":76,"spo2":97,"skinTemp":33.4,"steps":412,"lat":31.2304,"lon":121.4737,"accuracyM":8} */
export const wearableTelemetrySchema = z.strictObject({
  ...identity,
  heartRate: z.number().optional(),
  spo2: z.number().optional(),
  skinTemp: z.number().optional(),
  steps: z.number().int().optional(),
  lat: z.number().optional(),
  lon: z.number().optional(),
  accuracyM: z.number().optional(),
  /** Worn on the wrist (skin contact), for bands that can tell; while false the vital signs are dropped. */
  worn: z.boolean().optional(),
});
export type WearableTelemetry = z.infer<typeof wearableTelemetrySchema>;

/** @example {"seq":5025,"ts":1773536601000,"event":"fall","confidence":0.86} */
export const wearableEventSchema = z.discriminatedUnion('event', [
  z.strictObject({ ...identity, event: z.literal('fall'), confidence: z.number().min(0).max(1) }),
  z.strictObject({ ...identity, event: z.literal('sos') }),
  /** The resident's "I'm OK" press: downgrades a fall within its cancel window; never ends an SOS (a person does). */
  z.strictObject({ ...identity, event: z.literal('im_ok') }),
]);
export type WearableEvent = z.infer<typeof wearableEventSchema>;

export const wearable = {
  type: 'wearable',
  label: '智能手环',
  metrics: [
    { key: 'heartRate', measurement: 'vitals', kind: 'number', unit: 'bpm', label: '心率', range: [20, 250], onlyWhile: 'worn' },
    { key: 'spo2', measurement: 'vitals', kind: 'number', unit: '%', label: '血氧饱和度', range: [50, 100], onlyWhile: 'worn' },
    { key: 'skinTemp', measurement: 'vitals', kind: 'number', unit: 'Cel', label: '皮肤温度', range: [25, 45], onlyWhile: 'worn' },
    // Steps since local midnight, as the band shows them.
    { key: 'steps', measurement: 'activity', kind: 'number', unit: 'count', label: '今日步数', range: [0, 100_000] },
    // China spans about 3.9°N–53.6°N and 73.5°E–135.1°E: a fix outside is a GPS fault (0,0 or swapped axes).
    { key: 'lat', measurement: 'activity', kind: 'number', unit: 'deg', label: '纬度', range: [3, 54] },
    { key: 'lon', measurement: 'activity', kind: 'number', unit: 'deg', label: '经度', range: [73, 136] },
    { key: 'accuracyM', measurement: 'activity', kind: 'number', unit: 'm', label: '定位精度', range: [0, 5000] },
    { key: 'worn', measurement: 'activity', kind: 'boolean', unit: '', label: '佩戴中' },
  ],
  telemetry: wearableTelemetrySchema,
  event: wearableEventSchema,
  telemetryIntervalS: 60,
  heartbeatIntervalS: 300,
  maxHeartbeatIntervalS: 1800,
  batteryPowered: true,
  fixtures: loadFixtures({ valid, edge, invalid }, { channel: 'telemetry', stepS: 60 }),
} as const satisfies DeviceTypeDescriptor;
