import { z } from 'zod';
import { DEVICE_TYPES } from '../../../devices/device-type.js';
import { deviceIdSchema, REJECTION_REASONS } from '../../../devices/protocol.js';
import { provisionDeviceRequestSchema } from '../../registry/provisioning.service.js';

export const deviceIdParamsSchema = z.object({ id: deviceIdSchema });

/** The registry's request minus `provisionedBy`, which the server sets. */
export const provisionDeviceBodySchema = provisionDeviceRequestSchema.omit({ provisionedBy: true }).strict();
export type ProvisionDeviceBody = z.infer<typeof provisionDeviceBodySchema>;

/** Returned once: the secret is stored only as a hash and cannot be shown again. */
export const deviceCredentialsSchema = z.object({
  deviceId: deviceIdSchema,
  secret: z.string(),
  mqtt: z.object({ clientId: z.string(), username: z.string(), topics: z.object({ publish: z.string(), subscribe: z.string() }) }),
});

export const listDevicesQuerySchema = z.object({
  type: z.enum(DEVICE_TYPES).optional(),
  /** One resident's devices and their home's shared ones (smoke, gas, door). */
  residentId: z.string().min(1).max(64).optional(),
  cursor: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

export const deviceStateSchema = z.object({
  online: z.boolean(),
  lastSeenAt: z.number().nullable(),
  battery: z.number().nullable(),
  rssi: z.number().nullable(),
  firmware: z.string().nullable(),
  /** Set when the device announced a heartbeat above its type's maximum (s): supervision holds it to the maximum; fix the device's configuration. */
  announcedHeartbeatS: z.number().nullable(),
});

export const deviceViewSchema = z.object({
  id: deviceIdSchema,
  type: z.enum(DEVICE_TYPES),
  label: z.string().nullable(),
  residentId: z.string().nullable(),
  homeId: z.string().nullable(),
  disabled: z.boolean(),
  createdAt: z.number(),
  state: deviceStateSchema,
});

export const devicePageSchema = z.object({ items: z.array(deviceViewSchema), nextCursor: z.string().nullable() });

export const latestTelemetrySchema = z.object({
  deviceId: deviceIdSchema,
  values: z.array(z.object({ measurement: z.string(), field: z.string(), value: z.union([z.number(), z.boolean(), z.string()]), ts: z.number() })),
});

export const rejectionsSchema = z.object({
  deviceId: deviceIdSchema,
  items: z.array(z.object({ topic: z.string(), reason: z.enum(REJECTION_REASONS), detail: z.string(), receivedAt: z.number(), excerpt: z.string(), bytes: z.number() })),
});
