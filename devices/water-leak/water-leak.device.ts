/**
 * 水浸传感器 — a floor water-leak probe, battery powered. No periodic
 * telemetry: it publishes events and its status heartbeat only.
 */
import { z } from 'zod';
import { loadFixtures } from '../device-fixtures.js';
import type { DeviceTypeDescriptor } from '../device-type.js';
import { messageIdentitySchema } from '../protocol.js';
import edge from './fixtures/edge.json' with { type: 'json' };
import invalid from './fixtures/invalid.json' with { type: 'json' };
import valid from './fixtures/valid.json' with { type: 'json' };

const identity = messageIdentitySchema.shape;

/** Identity only: a telemetry message from a water-leak sensor has no metric, so it is rejected. */
export const waterLeakTelemetrySchema = z.strictObject({ ...identity });

/** @example {"seq":77,"ts":1773554400000,"event":"water_leak"} */
export const waterLeakEventSchema = z.discriminatedUnion('event', [
  z.strictObject({ ...identity, event: z.literal('water_leak') }),
  z.strictObject({ ...identity, event: z.literal('water_leak_cleared') }),
]);
export type WaterLeakEvent = z.infer<typeof waterLeakEventSchema>;

export const waterLeak = {
  type: 'water-leak',
  label: '水浸传感器',
  metrics: [],
  telemetry: waterLeakTelemetrySchema,
  event: waterLeakEventSchema,
  telemetryIntervalS: null,
  heartbeatIntervalS: 300,
  maxHeartbeatIntervalS: 900,
  batteryPowered: true,
  fixtures: loadFixtures({ valid, edge, invalid }, { channel: 'event', stepS: 60 }),
} as const satisfies DeviceTypeDescriptor;
