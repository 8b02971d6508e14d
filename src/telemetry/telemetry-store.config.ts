/**
 * Telemetry store configuration, as parsed from the environment or a config
 * file (STYLE.md §10: the schema is the type).
 *
 * @example
 *   telemetryStoreConfigSchema.parse({ kind: 'influx', url: 'http://localhost:8086', version: 2, org: 'anxin', bucket: 'anxin', token: '…' })
 *   telemetryStoreConfigSchema.parse({ kind: 'embedded', path: 'var/telemetry.db', retentionDays: 90 })
 */
import { z } from 'zod';

export const influxConfigSchema = z
  .object({
    /** e.g. `http://localhost:8086` (no `/api/v2` suffix). */
    url: z.url({ protocol: /^https?$/ }),
    version: z.union([z.literal(1), z.literal(2)]),
    /** 1.x database (default `anxin`); on 2.x the DBRP database for InfluxQL (default: the bucket). */
    database: z.string().min(1).optional(),
    retentionPolicy: z.string().min(1).optional(),
    /** 2.x only. */
    org: z.string().min(1).optional(),
    bucket: z.string().min(1).optional(),
    token: z.string().min(1).optional(),
    /** 1.x with `auth-enabled`. */
    username: z.string().min(1).optional(),
    password: z.string().optional(),
    /** Per HTTP request; default 10 000. */
    timeoutMs: z.number().int().positive().optional(),
  })
  .refine((c) => c.version === 1 || (c.org !== undefined && c.bucket !== undefined && c.token !== undefined), {
    message: 'InfluxDB 2.x needs org, bucket and token',
  });
export type InfluxConfig = z.infer<typeof influxConfigSchema>;

export const embeddedConfigSchema = z.object({
  /** SQLite file, or ':memory:'. */
  path: z.string().min(1),
  /** Raw points older than this are removed by `pruneExpired()`. */
  retentionDays: z.number().positive().optional(),
});
export type EmbeddedTelemetryConfig = z.infer<typeof embeddedConfigSchema>;

export const telemetryStoreConfigSchema = z.discriminatedUnion('kind', [
  influxConfigSchema.safeExtend({ kind: z.literal('influx') }),
  embeddedConfigSchema.extend({ kind: z.literal('embedded') }),
]);
export type TelemetryStoreConfig = z.infer<typeof telemetryStoreConfigSchema>;
