/**
 * REST contracts of alerting (STYLE.md §10): every request part and response
 * is a zod schema; OpenAPI is generated from them.
 */
import { z } from 'zod';
import { alertKindSchema, alertSchema } from '../../domain/alerts/alert.schema.js';
import { carePlanPatchSchema, carePlanSchema } from '../../domain/care-plans/care-plan.schema.js';
import { ruleSettingsSchema, suspensionSchema } from '../../domain/care-plans/rule-settings.js';

export const idParamsSchema = z.object({ id: z.string().min(1).max(64) });

/**
 * @example GET /api/alerts?residentId=r-000042&state=active&from=1767225600000&limit=50
 */
export const listAlertsQuerySchema = z
  .object({
    residentId: z.string().min(1).max(64).optional(),
    state: z.enum(['active', 'cleared']).optional(),
    kind: alertKindSchema.optional(),
    /** firstRaisedAt ≥ from (epoch ms, event time). */
    from: z.coerce.number().int().nonnegative().optional(),
    /** firstRaisedAt ≤ to. */
    to: z.coerce.number().int().nonnegative().optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();
export type ListAlertsQuery = z.infer<typeof listAlertsQuerySchema>;

/** Newest first. The simulator's checker reads id, kind, residentId, severity, priority, state, firstRaisedAt, lastTriggeredAt. */
export const alertPageSchema = z.object({ items: z.array(alertSchema) });

export const alertHistoryEntrySchema = z.object({
  type: z.string(),
  reason: z.string().nullable(),
  actor: z.string(),
  at: z.number(),
  severity: z.string(),
  state: z.string(),
});

export const alertDetailSchema = z.object({
  ...alertSchema.shape,
  /** Number of changes applied to the stored alert. */
  version: z.number().int().positive(),
  history: z.array(alertHistoryEntrySchema),
});

/** @example { "note": "上门确认：老人已被扶起，无外伤" } */
export const clearAlertBodySchema = z.object({ note: z.string().trim().min(1).max(500) }).strict();

export const carePlanBodySchema = carePlanPatchSchema.strict();

export const carePlanChangeResponseSchema = z.object({
  carePlan: carePlanSchema,
  audit: z.object({ fromVersion: z.number(), toVersion: z.number(), changedBy: z.string(), changedAt: z.number(), changes: z.array(z.object({ field: z.string(), before: z.unknown(), after: z.unknown() })) }),
});

export const carePlanHistorySchema = z.object({
  residentId: z.string(),
  items: z.array(
    z.object({
      fromVersion: z.number(),
      toVersion: z.number(),
      changedBy: z.string(),
      changedAt: z.number(),
      patch: z.unknown(),
      changes: z.array(z.object({ field: z.string(), before: z.unknown(), after: z.unknown() })),
    }),
  ),
});

/**
 * A snooze always expires; who set it comes from the caller (x-anxin-actor).
 * @example { "kinds": ["prolonged_inactivity"], "until": 1767232800000, "reason": "护理员上门服务" }
 */
export const snoozeBodySchema = suspensionSchema.omit({ setBy: true }).extend({ until: z.number().int().positive(), reason: z.string().trim().min(1).max(200) }).strict();

export const ruleSettingsViewSchema = z.object({
  version: z.number().int().nonnegative(),
  settings: ruleSettingsSchema,
  updatedAt: z.number().nullable(),
  updatedBy: z.string().nullable(),
});

/** Who is acting. Accounts come with dispatch; until then the caller names itself (default `admin`). */
export const actorHeaderSchema = z.string().trim().min(1).max(64).default('admin');
