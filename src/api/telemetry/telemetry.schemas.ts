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

export const windowSeriesSchema = z.object({ items: z.array(z.object({ ts: z.number(), value: z.number() })) });

export const residentVitalsQuerySchema = z.object({
  hours: z.coerce.number().int().min(1).max(168).default(24),
  windowMs: z.coerce.number().int().min(60_000).max(3_600_000).default(300_000),
});

export const residentVitalsSchema = z.object({
  residentId: z.string(),
  from: z.number(),
  to: z.number(),
  windowMs: z.number(),
  series: z.record(z.string(), z.array(z.object({ ts: z.number(), value: z.number() }))),
});
