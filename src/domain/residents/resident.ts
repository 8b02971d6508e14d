/**
 * A resident (服务对象) of the smart home care bed programme, as the registry
 * stores it. Personal data is minimised at the source: no ID card number is
 * kept, only the last four digits of the resident's own phone; emergency
 * contacts keep full numbers because dispatch has to call them.
 *
 * The JSON columns (conditions, emergency contacts) are schema first
 * (STYLE.md §10): parsed with these schemas on every read.
 */
import { z } from 'zod';

/**
 * Capability level per GB/T 42195-2022《老年人能力评估规范》 §6:
 * 0 能力完好, 1 轻度受损, 2 中度受损, 3 重度受损, 4 完全丧失.
 */
export const capabilityLevelSchema = z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3), z.literal(4)]);
export type CapabilityLevel = z.infer<typeof capabilityLevelSchema>;

export const CAPABILITY_LEVEL_LABELS: Readonly<Record<CapabilityLevel, string>> = {
  0: '能力完好',
  1: '能力轻度受损',
  2: '能力中度受损',
  3: '能力重度受损',
  4: '能力完全丧失',
};

export const LIVING_SITUATIONS = ['alone', 'couple', 'with_family'] as const;
export const livingSituationSchema = z.enum(LIVING_SITUATIONS);
export type LivingSituation = z.infer<typeof livingSituationSchema>;

export const LIVING_SITUATION_LABELS: Readonly<Record<LivingSituation, string>> = {
  alone: '独居',
  couple: '与配偶同住',
  with_family: '与子女同住',
};

/**
 * Chronic conditions that alert rules care about (a bradycardia threshold
 * differs for a resident known to have bradycardia). Codes are stable
 * identifiers; labels are what caregivers read.
 */
export const RESIDENT_CONDITIONS = [
  'hypertension',
  'diabetes',
  'COPD',
  'dementia',
  'bradycardia',
  'atrial_fibrillation',
  'coronary_heart_disease',
  'heart_failure',
  'stroke_history',
  'parkinsons',
  'osteoporosis',
  'chronic_kidney_disease',
] as const;
export const residentConditionSchema = z.enum(RESIDENT_CONDITIONS);
export type ResidentCondition = z.infer<typeof residentConditionSchema>;

export const RESIDENT_CONDITION_LABELS: Readonly<Record<ResidentCondition, string>> = {
  hypertension: '高血压',
  diabetes: '糖尿病',
  COPD: '慢阻肺',
  dementia: '认知障碍',
  bradycardia: '心动过缓',
  atrial_fibrillation: '房颤',
  coronary_heart_disease: '冠心病',
  heart_failure: '心力衰竭',
  stroke_history: '脑卒中史',
  parkinsons: '帕金森病',
  osteoporosis: '骨质疏松',
  chronic_kidney_disease: '慢性肾病',
};

export const GENDERS = ['female', 'male'] as const;
export const genderSchema = z.enum(GENDERS);
export type Gender = z.infer<typeof genderSchema>;

/** e.g. `{ relation: '女儿', name: '王丽华', phone: '13800001234' }` */
export const emergencyContactSchema = z.object({
  relation: z.string().min(1).max(16),
  name: z.string().min(1).max(32),
  phone: z.string().regex(/^\+?[0-9][0-9 -]{4,19}$/),
});
export type EmergencyContact = z.infer<typeof emergencyContactSchema>;

export const conditionsSchema = z.array(residentConditionSchema);
export const emergencyContactsSchema = z.array(emergencyContactSchema).max(8);

/** Full resident data: only for a caller that asked for it (`{ unmasked: true }`). */
export interface Resident {
  readonly id: string;
  /** Full name as the resident is addressed, e.g. 张桂华. */
  readonly displayName: string;
  /** Last four digits of the resident's own phone, or null; the full number is never stored. */
  readonly phoneLast4: string | null;
  readonly birthYear: number;
  readonly gender: Gender;
  readonly capabilityLevel: CapabilityLevel;
  readonly livingSituation: LivingSituation;
  readonly conditions: readonly ResidentCondition[];
  readonly emergencyContacts: readonly EmergencyContact[];
  readonly communityCode: string;
  readonly streetCode: string;
  readonly districtCode: string;
  readonly homeId: string | null;
  readonly createdAt: number;
}

/** The same resident with personal data masked: what list views return. */
export type MaskedResident = Resident & { readonly masked: true };
