/**
 * 三助一护 service providers and their staff, schema first (STYLE.md §10).
 * The dispatch policy reads these; the provider registry (SQL) stores them.
 */
import { z } from 'zod';

/**
 * The four services of 三助一护: 助餐 meals, 助洁 cleaning, 助医 medical help,
 * 远程照护 remote care (which includes emergency response to a home).
 */
export const SERVICE_TYPES = ['meal', 'cleaning', 'medical', 'remote_care'] as const;
export const serviceTypeSchema = z.enum(SERVICE_TYPES);
export type ServiceType = z.infer<typeof serviceTypeSchema>;

export const SERVICE_TYPE_LABELS: Readonly<Record<ServiceType, string>> = {
  meal: '助餐',
  cleaning: '助洁',
  medical: '助医',
  remote_care: '远程照护',
};

export const geoPointSchema = z.object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) });
export type GeoPoint = z.infer<typeof geoPointSchema>;

/** How a responder travels; sets the speed used for the 15-minute reach. */
export const travelModeSchema = z.enum(['walk', 'ebike', 'car']);
export type TravelMode = z.infer<typeof travelModeSchema>;

export const providerSchema = z.object({
  id: z.string().min(1).max(64),
  /** e.g. 江汉区民族街道综合养老服务中心 */
  name: z.string().min(1).max(80),
  districtCode: z.string().min(1).max(32),
  services: z.array(serviceTypeSchema).min(1),
  /** Street (街道) codes the provider has agreed to cover. */
  streetCodes: z.array(z.string().min(1).max(32)).min(1),
  base: geoPointSchema,
  /** 24 h duty line, shown to the district duty officer. */
  dutyPhone: z.string().max(20).nullable(),
});
export type Provider = z.infer<typeof providerSchema>;

export const staffRoleSchema = z.enum(['dispatcher', 'caregiver']);
export type StaffRole = z.infer<typeof staffRoleSchema>;

export const staffSchema = z.object({
  id: z.string().min(1).max(64),
  providerId: z.string().min(1).max(64),
  name: z.string().min(1).max(40),
  role: staffRoleSchema,
  onDuty: z.boolean(),
  travelMode: travelModeSchema,
  /** Last known position (from the console or app); null until reported. */
  location: geoPointSchema.extend({ at: z.number().int() }).nullable(),
});
export type Staff = z.infer<typeof staffSchema>;
