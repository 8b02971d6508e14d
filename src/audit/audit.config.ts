/**
 * The `audit` section of the platform configuration (composed by
 * src/config/config.schema.ts; the environment is mapped in
 * src/config/load-config.ts).
 *
 * | key | variable | default | meaning |
 * |---|---|---|---|
 * | retentionDays | ANXIN_AUDIT_RETENTION_DAYS | 365 | keep audit entries this many days (at least 180) |
 * | pruneIntervalMinutes | – | 60 | how often older entries are pruned |
 *
 * @example { "audit": { "retentionDays": 2190 } }
 */
import { z } from 'zod';
import { AUDIT_RETENTION_DEFAULT_DAYS, AUDIT_RETENTION_FLOOR_DAYS } from '../domain/audit/audit-retention.js';

const DAYS = `expected a whole number of days, at least ${AUDIT_RETENTION_FLOOR_DAYS} (Cybersecurity Law Art. 21: logs are kept no less than six months)`;

export const auditConfigSchema = z
  .object({
    // Environment variables arrive as strings, hence coerce.
    retentionDays: z.coerce.number({ error: DAYS }).int({ error: DAYS }).min(AUDIT_RETENTION_FLOOR_DAYS, { error: DAYS }).default(AUDIT_RETENTION_DEFAULT_DAYS),
    pruneIntervalMinutes: z.coerce.number().int().positive().default(60),
  })
  .prefault({});

export type AuditConfig = z.infer<typeof auditConfigSchema>;
