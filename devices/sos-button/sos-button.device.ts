/**
 * 紧急呼叫按钮 — a wall or pendant emergency button, battery powered. No
 * periodic telemetry: it publishes events and its status heartbeat only.
 */
import { z } from 'zod';
import { loadFixtures } from '../device-fixtures.js';
import type { DeviceTypeDescriptor } from '../device-type.js';
import { messageIdentitySchema } from '../protocol.js';
import edge from './fixtures/edge.json' with { type: 'json' };
import invalid from './fixtures/invalid.json' with { type: 'json' };
import valid from './fixtures/valid.json' with { type: 'json' };

const identity = messageIdentitySchema.shape;

/** Identity only: a telemetry message from an SOS button has no metric, so it is rejected. */
export const sosButtonTelemetrySchema = z.strictObject({ ...identity });

/** @example {"seq":311,"ts":1773543600000,"event":"sos"} */
export const sosButtonEventSchema = z.discriminatedUnion('event', [
  z.strictObject({ ...identity, event: z.literal('sos') }),
  /** The resident's "I'm OK" press: downgrades a fall within its cancel window; never ends an SOS (a person does). */
  z.strictObject({ ...identity, event: z.literal('im_ok') }),
]);
export type SosButtonEvent = z.infer<typeof sosButtonEventSchema>;

export const sosButton = {
  type: 'sos-button',
  label: '紧急呼叫按钮',
  metrics: [],
  telemetry: sosButtonTelemetrySchema,
  event: sosButtonEventSchema,
  telemetryIntervalS: null,
  heartbeatIntervalS: 300,
  maxHeartbeatIntervalS: 900,
  batteryPowered: true,
  fixtures: loadFixtures({ valid, edge, invalid }, { channel: 'event', stepS: 30 }),
} as const satisfies DeviceTypeDescriptor;
