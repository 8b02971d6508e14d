/**
 * 烟雾报警器 — a photoelectric smoke alarm, battery powered. Reports its
 * chamber obscuration every 5 min and alarms as events.
 */
import { z } from 'zod';
import { loadFixtures } from '../device-fixtures.js';
import type { DeviceTypeDescriptor } from '../device-type.js';
import { messageIdentitySchema } from '../protocol.js';
import edge from './fixtures/edge.json' with { type: 'json' };
import invalid from './fixtures/invalid.json' with { type: 'json' };
import valid from './fixtures/valid.json' with { type: 'json' };

const identity = messageIdentitySchema.shape;

/** @example {"seq":2700,"ts":1773547200000,"smokeObscuration":0} */
export const smokeDetectorTelemetrySchema = z.strictObject({
  ...identity,
  smokeObscuration: z.number(),
});
export type SmokeDetectorTelemetry = z.infer<typeof smokeDetectorTelemetrySchema>;

/** @example {"seq":2703,"ts":1773547840000,"event":"smoke","obscuration":4.8} */
export const smokeDetectorEventSchema = z.discriminatedUnion('event', [
  // Same scale and limits as the smokeObscuration metric (%/m, 0–30).
  z.strictObject({ ...identity, event: z.literal('smoke'), obscuration: z.number().min(0).max(30) }),
  z.strictObject({ ...identity, event: z.literal('smoke_cleared') }),
  z.strictObject({ ...identity, event: z.literal('self_test') }),
]);
export type SmokeDetectorEvent = z.infer<typeof smokeDetectorEventSchema>;

export const smokeDetector = {
  type: 'smoke-detector',
  label: '烟雾报警器',
  metrics: [
    { key: 'smokeObscuration', measurement: 'environment', kind: 'number', unit: '%/m', label: '烟雾浓度', range: [0, 30] },
  ],
  telemetry: smokeDetectorTelemetrySchema,
  event: smokeDetectorEventSchema,
  telemetryIntervalS: 300,
  heartbeatIntervalS: 300,
  maxHeartbeatIntervalS: 900,
  batteryPowered: true,
  fixtures: loadFixtures({ valid, edge, invalid }, { channel: 'telemetry', stepS: 300 }),
} as const satisfies DeviceTypeDescriptor;
