/**
 * 人体红外 — a passive-infrared motion sensor, battery powered. Counts
 * triggers per telemetry interval; `motion` marks the first trigger after a
 * quiet period (optional: a sensor may send counts only).
 */
import { z } from 'zod';
import { loadFixtures } from '../device-fixtures.js';
import type { DeviceTypeDescriptor } from '../device-type.js';
import { messageIdentitySchema } from '../protocol.js';
import edge from './fixtures/edge.json' with { type: 'json' };
import invalid from './fixtures/invalid.json' with { type: 'json' };
import valid from './fixtures/valid.json' with { type: 'json' };

const identity = messageIdentitySchema.shape;

/** @example {"seq":120346,"ts":1773561660000,"motionCount":3} */
export const pirMotionTelemetrySchema = z.strictObject({
  ...identity,
  motionCount: z.number().int(),
});
export type PirMotionTelemetry = z.infer<typeof pirMotionTelemetrySchema>;

/** @example {"seq":120348,"ts":1773561661200,"event":"motion"} */
export const pirMotionEventSchema = z.discriminatedUnion('event', [z.strictObject({ ...identity, event: z.literal('motion') })]);
export type PirMotionEvent = z.infer<typeof pirMotionEventSchema>;

export const pirMotion = {
  type: 'pir-motion',
  label: '人体红外',
  metrics: [
    // Triggers counted over one telemetry interval (60 s by default).
    { key: 'motionCount', measurement: 'activity', kind: 'number', unit: 'count', label: '移动次数', range: [0, 1000] },
  ],
  telemetry: pirMotionTelemetrySchema,
  event: pirMotionEventSchema,
  telemetryIntervalS: 60,
  heartbeatIntervalS: 300,
  maxHeartbeatIntervalS: 3600,
  batteryPowered: true,
  fixtures: loadFixtures({ valid, edge, invalid }, { channel: 'telemetry', stepS: 60 }),
} as const satisfies DeviceTypeDescriptor;
