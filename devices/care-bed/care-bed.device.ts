/**
 * 智能床垫 — an under-mattress ballistocardiography sensor, mains powered.
 * Telemetry every 10 s while powered; events on bed exit/entry and apnea.
 */
import { z } from 'zod';
import { loadFixtures } from '../device-fixtures.js';
import type { DeviceTypeDescriptor } from '../device-type.js';
import { messageIdentitySchema } from '../protocol.js';
import edge from './fixtures/edge.json' with { type: 'json' };
import invalid from './fixtures/invalid.json' with { type: 'json' };
import valid from './fixtures/valid.json' with { type: 'json' };

const identity = messageIdentitySchema.shape;

/**
 * Vital signs are required while someone is in bed and may be left out while
 * the bed is empty (whatever the sensor reads then is dropped, see `onlyWhile`).
 *
 * @example {"seq":18234,"ts":1773532800000,"heartRate":64,"respirationRate":15,"inBed":true,"movement":3}
 * @example {"seq":18241,"ts":1773532900000,"inBed":false,"movement":0}
 */
export const careBedTelemetrySchema = z
  .strictObject({
    ...identity,
    heartRate: z.number().optional(),
    respirationRate: z.number().optional(),
    inBed: z.boolean(),
    movement: z.number(),
  })
  .superRefine((data, ctx) => {
    if (data.inBed !== true) return;
    for (const key of ['heartRate', 'respirationRate'] as const) {
      if (data[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: `${key} is required while inBed is true` });
    }
  });
export type CareBedTelemetry = z.infer<typeof careBedTelemetrySchema>;

/** @example {"seq":18240,"ts":1773533212300,"event":"apnea","durationS":24} */
export const careBedEventSchema = z.discriminatedUnion('event', [
  z.strictObject({ ...identity, event: z.literal('bed_exit') }),
  z.strictObject({ ...identity, event: z.literal('bed_enter') }),
  // Apnea: a pause in breathing of at least 10 s (AASM); longer than 5 min is a sensor fault, not a pause.
  z.strictObject({ ...identity, event: z.literal('apnea'), durationS: z.number().min(10).max(300) }),
]);
export type CareBedEvent = z.infer<typeof careBedEventSchema>;

export const careBed = {
  type: 'care-bed',
  label: '智能床垫',
  metrics: [
    { key: 'heartRate', measurement: 'vitals', kind: 'number', unit: 'bpm', label: '心率', range: [20, 250], onlyWhile: 'inBed' },
    { key: 'respirationRate', measurement: 'vitals', kind: 'number', unit: '/min', label: '呼吸频率', range: [0, 60], onlyWhile: 'inBed' },
    { key: 'inBed', measurement: 'activity', kind: 'boolean', unit: '', label: '在床' },
    { key: 'movement', measurement: 'activity', kind: 'number', unit: 'index', label: '体动指数', range: [0, 100] },
  ],
  telemetry: careBedTelemetrySchema,
  event: careBedEventSchema,
  telemetryIntervalS: 10,
  heartbeatIntervalS: 60,
  maxHeartbeatIntervalS: 300,
  batteryPowered: false,
  fixtures: loadFixtures({ valid, edge, invalid }, { channel: 'telemetry', stepS: 10 }),
} as const satisfies DeviceTypeDescriptor;
