/**
 * A resident's care plan as far as alert rules are concerned: overrides of
 * default thresholds, daily windows, geofence, snoozes. Versioned: every
 * change goes through `applyCarePlanChange`, which returns the next version
 * and an audit record the backend persists.
 */
import { z } from 'zod';
import { ALERT_KIND_POLICY } from '../alerts/alert.schema.js';
import { localWindowSchema, suspensionSchema, vitalRuleSchema } from './rule-settings.js';

/**
 * GB/T 42195-2022《老年人能力评估规范》 overall capability level:
 * 0 能力完好, 1 能力轻度受损（轻度失能）, 2 能力中度受损（中度失能）,
 * 3 能力重度受损（重度失能）, 4 能力完全丧失（完全失能）.
 */
export const capabilityLevelSchema = z.number().int().min(0).max(4);
export type CapabilityLevel = z.infer<typeof capabilityLevelSchema>;

const vitalOverrideSchema = vitalRuleSchema.partial();

/** Each overridable field, as it is stored when set. */
const carePlanFields = {
  /** NEWS2 SpO2 scale: 2 for a prescribed 88–92 % target (COPD / hypercapnic respiratory failure). */
  spo2Scale: z.union([z.literal(1), z.literal(2)]),
  /** Per-vital overrides, e.g. known bradycardia: heartRate.low = [{ atOrBelow: 35, severity: 'critical' }]. */
  vitals: z.object({
    heartRate: vitalOverrideSchema.optional(),
    respirationRate: vitalOverrideSchema.optional(),
    spo2: vitalOverrideSchema.optional(),
    skinTemp: vitalOverrideSchema.optional(),
  }),
  /** Explicit inactivity threshold; wins over the capability-level tightening (a clinician chose it). */
  inactivityAfterMs: z.number().int().positive(),
  restPeriods: z.array(localWindowSchema),
  nightWindow: localWindowSchema,
  bedExitNoReturnMs: z.number().int().positive(),
  bathroomDwellMs: z.number().int().positive(),
  nightWanderingMs: z.number().int().positive(),
  fallCancelWindowMs: z.number().int().nonnegative().max(120_000),
  /** Dementia care plans switch the geofence on. */
  geofence: z.object({ enabled: z.boolean(), radiusM: z.number().positive().optional() }),
  suspensions: z.array(suspensionSchema),
} as const;
type CarePlanFields = typeof carePlanFields;
export type CarePlanField = keyof CarePlanFields;

/**
 * @example { residentId: 'r-1', version: 3, spo2Scale: 2, geofence: { enabled: true, radiusM: 300 },
 *   suspensions: [{ kinds: ['device_offline'], until: 1767225600000, setBy: 'u-7', reason: '住院' }] }
 */
export const carePlanSchema = z.object({
  residentId: z.string().min(1),
  /** 0 = no plan recorded yet (defaults only). */
  version: z.number().int().nonnegative(),
  ...z.object(carePlanFields).partial().shape,
});
export type CarePlan = z.infer<typeof carePlanSchema>;

/** A change: a field set to a value replaces it, set to `null` removes the override. */
export const carePlanPatchSchema = z.object(
  Object.fromEntries(Object.entries(carePlanFields).map(([k, s]) => [k, s.nullable().optional()])) as {
    [K in CarePlanField]: z.ZodOptional<z.ZodNullable<CarePlanFields[K]>>;
  },
);
export type CarePlanPatch = z.infer<typeof carePlanPatchSchema>;

export const carePlanAuditSchema = z.object({
  residentId: z.string(),
  fromVersion: z.number().int().nonnegative(),
  toVersion: z.number().int().positive(),
  changedBy: z.string().min(1),
  changedAt: z.number(),
  changes: z.array(z.object({ field: z.string(), before: z.unknown(), after: z.unknown() })),
});
export type CarePlanAudit = z.infer<typeof carePlanAuditSchema>;

/** The named refusal of a snooze that covers fall, SOS, smoke, gas or water leak. */
export const LIFE_SAFETY_NOT_SNOOZABLE = 'life_safety_not_snoozable';

export class CarePlanChangeError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(`care plan change rejected: ${issues.join('; ')}`);
    this.name = 'CarePlanChangeError';
  }
}

/** A resident without a plan yet starts from version 0 (no overrides). */
export function emptyCarePlan(residentId: string): CarePlan {
  return { residentId, version: 0 };
}

/**
 * Applies a patch and returns the next version with its audit record.
 * Pure: the backend persists both in one transaction. A suspension must
 * expire in the future (`until > at`) and name no life-safety kind; a patch that changes nothing still
 * bumps the version so the audit trail shows who confirmed the plan.
 */
export function applyCarePlanChange(
  current: CarePlan,
  patch: CarePlanPatch,
  who: string,
  at: number,
): { carePlan: CarePlan; audit: CarePlanAudit } {
  const parsedPatch = carePlanPatchSchema.parse(patch);
  const issues: string[] = [];
  for (const s of parsedPatch.suspensions ?? []) {
    if (s.until <= at) issues.push(`suspension of ${s.kinds.join(',')} already expired`);
    const lifeSafety = s.kinds.filter((kind) => ALERT_KIND_POLICY[kind].lifeSafety);
    if (lifeSafety.length > 0) issues.push(`${LIFE_SAFETY_NOT_SNOOZABLE}: ${lifeSafety.join(',')} ${lifeSafety.length === 1 ? 'is a life-safety alert' : 'are life-safety alerts'} and never snoozed`);
  }
  if (issues.length > 0) throw new CarePlanChangeError(issues);

  const next: Record<string, unknown> = { ...current, version: current.version + 1 };
  const changes: CarePlanAudit['changes'] = [];
  for (const [field, value] of Object.entries(parsedPatch)) {
    if (value === undefined) continue;
    const before = (current as Record<string, unknown>)[field] ?? null;
    if (value === null) delete next[field];
    else next[field] = value;
    changes.push({ field, before, after: value });
  }
  const carePlan = carePlanSchema.parse(next);
  const audit: CarePlanAudit = {
    residentId: current.residentId,
    fromVersion: current.version,
    toVersion: carePlan.version,
    changedBy: who,
    changedAt: at,
    changes,
  };
  return { carePlan, audit };
}
