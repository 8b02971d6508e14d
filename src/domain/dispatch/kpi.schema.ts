/**
 * District KPIs (效果全评估), schema first: computed by kpis.ts, served on the
 * /district namespace and over REST. Counts, rates and durations only: no
 * field can carry personal data (strict objects reject extra keys).
 */
import { z } from 'zod';
import { SERVICE_TYPES, type ServiceType } from './provider.schema.js';

const count = z.number().int().nonnegative();
const rate = z.number().min(0).max(1).nullable();

/** p50/p90 in ms; null when there is no sample. */
export const distributionSchema = z.strictObject({
  samples: count,
  p50Ms: z.number().nonnegative().nullable(),
  p90Ms: z.number().nonnegative().nullable(),
});
export type Distribution = z.infer<typeof distributionSchema>;

export const countsByServiceSchema = z.strictObject(
  Object.fromEntries(SERVICE_TYPES.map((s) => [s, count])) as Record<ServiceType, typeof count>,
);
export type CountsByService = z.infer<typeof countsByServiceSchema>;

export const kpiRowSchema = z.strictObject({
  /** Alerts that needed an answer: work orders, minus those cancelled before anyone accepted. */
  alerts: count,
  acceptedWithinSla: count,
  /** 有效应答率 = acceptedWithinSla / alerts; null when alerts = 0. */
  effectiveResponseRate: rate,
  acceptTime: distributionSchema,
  onSiteTime: distributionSchema,
  resolved: count,
  falseAlarms: count,
  /** falseAlarms / resolved; null when nothing resolved. */
  falseAlarmShare: rate,
  /**
   * Falls the resident got up from inside the cancel window: never paged,
   * answered by a welfare call instead (the P2 order such a fall opens).
   */
  selfRecoveredFalls: count,
  openOrders: count,
  coverageGaps: count,
  escalated: count,
  byService: countsByServiceSchema,
});
export type KpiRow = z.infer<typeof kpiRowSchema>;

/** Street (街道) code: letters, digits, `_`/`-`; never an 11-digit mobile number. */
export const areaCodeSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,32}$/)
  .refine((s) => !/^1\d{10}$/.test(s), { message: 'looks like a phone number, not an area code' });

export const districtKpisSchema = z.strictObject({
  districtCode: areaCodeSchema,
  /** The orders counted were created in [from, to). */
  from: z.number(),
  to: z.number(),
  district: kpiRowSchema,
  streets: z.array(kpiRowSchema.extend({ streetCode: areaCodeSchema })),
});
export type DistrictKpis = z.infer<typeof districtKpisSchema>;
