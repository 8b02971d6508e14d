import { z } from 'zod';
import { geoPointSchema, providerSchema, serviceTypeSchema, staffSchema } from '../../domain/dispatch/provider.schema.js';

export const listProvidersQuerySchema = z.object({
  districtCode: z.string().min(1).max(32).optional(),
  streetCode: z.string().min(1).max(32).optional(),
  service: serviceTypeSchema.optional(),
});

export const providerListSchema = z.object({ items: z.array(providerSchema) });
export const providerDetailSchema = providerSchema.extend({ staff: z.array(staffSchema) });
export const idParamsSchema = z.object({ id: z.string().min(1).max(64) });
export const dutyBodySchema = z.object({ onDuty: z.boolean() });
export const locationBodySchema = geoPointSchema;
