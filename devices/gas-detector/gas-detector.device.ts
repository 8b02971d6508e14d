/**
 * 燃气报警器 — a kitchen combustible-gas alarm, mains powered. Reports the
 * concentration as a percentage of the lower explosive limit.
 */
import { z } from 'zod';
import { loadFixtures } from '../device-fixtures.js';
import type { DeviceTypeDescriptor } from '../device-type.js';
import { messageIdentitySchema } from '../protocol.js';
import edge from './fixtures/edge.json' with { type: 'json' };
import invalid from './fixtures/invalid.json' with { type: 'json' };
import valid from './fixtures/valid.json' with { type: 'json' };

const identity = messageIdentitySchema.shape;

/** @example {"seq":15002,"ts":1773550800000,"gasLel":0} */
export const gasDetectorTelemetrySchema = z.strictObject({
  ...identity,
  gasLel: z.number(),
});
export type GasDetectorTelemetry = z.infer<typeof gasDetectorTelemetrySchema>;

/** @example {"seq":15005,"ts":1773551430000,"event":"gas","lel":12} */
export const gasDetectorEventSchema = z.discriminatedUnion('event', [
  // Same scale and limits as the gasLel metric (%LEL, 0–100).
  z.strictObject({ ...identity, event: z.literal('gas'), lel: z.number().min(0).max(100) }),
  z.strictObject({ ...identity, event: z.literal('gas_cleared') }),
]);
export type GasDetectorEvent = z.infer<typeof gasDetectorEventSchema>;

export const gasDetector = {
  type: 'gas-detector',
  label: '燃气报警器',
  metrics: [
    { key: 'gasLel', measurement: 'environment', kind: 'number', unit: '%LEL', label: '可燃气体浓度', range: [0, 100] },
  ],
  telemetry: gasDetectorTelemetrySchema,
  event: gasDetectorEventSchema,
  telemetryIntervalS: 300,
  heartbeatIntervalS: 60,
  maxHeartbeatIntervalS: 300,
  batteryPowered: false,
  fixtures: loadFixtures({ valid, edge, invalid }, { channel: 'telemetry', stepS: 300 }),
} as const satisfies DeviceTypeDescriptor;
