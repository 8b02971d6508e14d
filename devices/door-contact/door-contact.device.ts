/**
 * 门磁 — a reed-switch door contact, battery powered. Reports the door state
 * every 5 min and every change as an event.
 */
import { z } from 'zod';
import { loadFixtures } from '../device-fixtures.js';
import type { DeviceTypeDescriptor } from '../device-type.js';
import { messageIdentitySchema } from '../protocol.js';
import edge from './fixtures/edge.json' with { type: 'json' };
import invalid from './fixtures/invalid.json' with { type: 'json' };
import valid from './fixtures/valid.json' with { type: 'json' };

const identity = messageIdentitySchema.shape;

/** @example {"seq":4410,"ts":1773558000000,"open":false} */
export const doorContactTelemetrySchema = z.strictObject({
  ...identity,
  open: z.boolean(),
});
export type DoorContactTelemetry = z.infer<typeof doorContactTelemetrySchema>;

/** @example {"seq":4412,"ts":1773558312000,"event":"door_open"} */
export const doorContactEventSchema = z.discriminatedUnion('event', [
  z.strictObject({ ...identity, event: z.literal('door_open') }),
  z.strictObject({ ...identity, event: z.literal('door_close') }),
]);
export type DoorContactEvent = z.infer<typeof doorContactEventSchema>;

export const doorContact = {
  type: 'door-contact',
  label: '门磁',
  metrics: [{ key: 'open', measurement: 'activity', kind: 'boolean', unit: '', label: '门开' }],
  telemetry: doorContactTelemetrySchema,
  event: doorContactEventSchema,
  telemetryIntervalS: 300,
  heartbeatIntervalS: 300,
  maxHeartbeatIntervalS: 3600,
  batteryPowered: true,
  fixtures: loadFixtures({ valid, edge, invalid }, { channel: 'telemetry', stepS: 300 }),
} as const satisfies DeviceTypeDescriptor;
