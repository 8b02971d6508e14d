import { z } from 'zod';

const measurement = z.enum(['vitals', 'activity', 'environment', 'device_health', 'events']);

export const rangeQuerySchema = z
  .object({
    deviceId: z.string().min(1).max(64).optional(),
    residentId: z.string().min(1).max(64).optional(),
    measurement,
    field: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/),
    from: z.coerce.number().int().min(0),
    to: z.coerce.number().int().min(0),
    windowMs: z.coerce.number().int().min(1_000).max(86_400_000).default(60_000),
    aggregate: z.enum(['mean', 'min', 'max', 'count', 'last']).default('mean'),
  })
  .refine((q) => (q.deviceId === undefined) !== (q.residentId === undefined), { message: 'give exactly one of deviceId and residentId', path: ['deviceId'] })
  .refine((q) => q.from < q.to, { message: 'from must be before to', path: ['from'] })
  .refine((q) => (q.to - q.from) / q.windowMs <= 10_000, { message: 'at most 10,000 windows per query', path: ['windowMs'] });

const windowValueSchema = z.object({ ts: z.number().describe('start of the window, epoch ms'), value: z.number() });

export const windowSeriesSchema = z.object({ items: z.array(windowValueSchema) });

export const residentVitalsQuerySchema = z.object({
  hours: z.coerce.number().int().min(1).max(168).default(24),
  windowMs: z.coerce.number().int().min(60_000).max(3_600_000).default(300_000),
});

/** The vitals a caregiver reads on the resident card, by field. */
export const VITAL_FIELDS = ['heartRate', 'respirationRate', 'spo2', 'skinTemp'] as const;
export type VitalField = (typeof VITAL_FIELDS)[number];

/** One device's windows of one vital. */
export const vitalSourceSeriesSchema = z.object({
  deviceId: z.string(),
  deviceType: z.string().describe('the device type the readings were tagged with: care-bed, wearable, …'),
  windows: z.array(windowValueSchema),
});

/**
 * `GET /api/residents/:id/vitals`: per vital, one series per source device,
 * never a mean over devices. A care bed and a wearable measure the same heart
 * differently, and their blend is a number neither measured; the caregiver
 * sees which device says what. A device with no reading in the hours asked
 * for has no series (an empty bed's vitals are dropped at decoding, so it
 * draws no line). Sources are sorted by device id.
 *
 * @example
 * {
 *   "residentId": "r-000123", "from": 1773450000000, "to": 1773536400000, "windowMs": 300000,
 *   "series": {
 *     "heartRate": [
 *       { "deviceId": "bed-k3v9q2m7xa", "deviceType": "care-bed", "windows": [{ "ts": 1773536100000, "value": 64.5 }] },
 *       { "deviceId": "wear-7h2m4q9x1c", "deviceType": "wearable", "windows": [{ "ts": 1773536100000, "value": 71 }] }
 *     ],
 *     "respirationRate": [{ "deviceId": "bed-k3v9q2m7xa", "deviceType": "care-bed", "windows": [{ "ts": 1773536100000, "value": 15.2 }] }],
 *     "spo2": [{ "deviceId": "wear-7h2m4q9x1c", "deviceType": "wearable", "windows": [{ "ts": 1773536100000, "value": 97 }] }],
 *     "skinTemp": []
 *   }
 * }
 */
export const residentVitalsSchema = z.object({
  residentId: z.string(),
  from: z.number(),
  to: z.number(),
  windowMs: z.number(),
  series: z.record(z.enum(VITAL_FIELDS), z.array(vitalSourceSeriesSchema)),
});
export type ResidentVitals = z.infer<typeof residentVitalsSchema>;
