/**
 * 跌倒检测雷达 — a ceiling/wall mmWave radar that tracks presence, posture
 * and the room zone of one person, mains powered.
 */
import { z } from 'zod';
import { loadFixtures } from '../device-fixtures.js';
import type { DeviceTypeDescriptor } from '../device-type.js';
import { messageIdentitySchema } from '../protocol.js';
import edge from './fixtures/edge.json' with { type: 'json' };
import invalid from './fixtures/invalid.json' with { type: 'json' };
import valid from './fixtures/valid.json' with { type: 'json' };

const identity = messageIdentitySchema.shape;

export const FALL_RADAR_POSTURES = ['standing', 'sitting', 'lying', 'none'] as const;
export const FALL_RADAR_ZONES = ['bedroom', 'bathroom', 'living_room', 'kitchen', 'hall', 'none'] as const;

/** @example {"seq":90112,"ts":1773540000000,"presence":true,"posture":"sitting","zone":"living_room","movement":18} */
export const fallRadarTelemetrySchema = z.strictObject({
  ...identity,
  presence: z.boolean(),
  posture: z.enum(FALL_RADAR_POSTURES),
  zone: z.enum(FALL_RADAR_ZONES),
  movement: z.number(),
});
export type FallRadarTelemetry = z.infer<typeof fallRadarTelemetrySchema>;

/** @example {"seq":90116,"ts":1773540041200,"event":"fall","confidence":0.93,"zone":"bathroom"} */
export const fallRadarEventSchema = z.discriminatedUnion('event', [
  z.strictObject({ ...identity, event: z.literal('fall'), confidence: z.number().min(0).max(1), zone: z.enum(FALL_RADAR_ZONES) }),
]);
export type FallRadarEvent = z.infer<typeof fallRadarEventSchema>;

export const fallRadar = {
  type: 'fall-radar',
  label: '跌倒检测雷达',
  metrics: [
    { key: 'presence', measurement: 'activity', kind: 'boolean', unit: '', label: '有人' },
    { key: 'posture', measurement: 'activity', kind: 'string', unit: '', label: '姿态' },
    { key: 'zone', measurement: 'activity', kind: 'string', unit: '', label: '区域' },
    { key: 'movement', measurement: 'activity', kind: 'number', unit: 'index', label: '活动指数', range: [0, 100] },
  ],
  telemetry: fallRadarTelemetrySchema,
  event: fallRadarEventSchema,
  telemetryIntervalS: 10,
  heartbeatIntervalS: 60,
  maxHeartbeatIntervalS: 300,
  batteryPowered: false,
  fixtures: loadFixtures({ valid, edge, invalid }, { channel: 'telemetry', stepS: 10 }),
} as const satisfies DeviceTypeDescriptor;
