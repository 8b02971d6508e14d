/** Accounts as the API shows them (never with the password hash), and the REST bodies. */
import { z } from 'zod';
import { roleSchema } from '../domain/access/principal.js';

export const accountViewSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: roleSchema,
  districtCode: z.string().nullable(),
  providerId: z.string().nullable(),
  staffId: z.string().nullable(),
  disabled: z.boolean(),
  createdAt: z.number().int(),
});
/**
 * @example
 * { id: 'acc-jianghan-officer', username: 'jianghan.officer', displayName: '江汉区值班员',
 *   role: 'district_officer', districtCode: '420103', providerId: null, staffId: null,
 *   disabled: false, createdAt: 1735689600000 }
 */
export type AccountView = z.infer<typeof accountViewSchema>;

/** Lower-case letters, digits, dot, dash, underscore: usable on a phone keyboard, no look-alikes. */
export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(3)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'letters, digits, dot, dash and underscore only');

/** NIST SP 800-63B §5.1.1.2: at least 8 characters, allow long passphrases. */
export const passwordSchema = z.string().min(8).max(256);

export const loginBodySchema = z.object({
  username: z.string().trim().toLowerCase().min(1).max(64),
  password: z.string().min(1).max(256),
});

export const loginResponseSchema = z.object({
  /** Send as `Authorization: Bearer <token>`; also the socket.io handshake `auth.token`. */
  token: z.string(),
  expiresAt: z.number().int(),
  account: accountViewSchema,
});

export const createAccountBodySchema = z.object({
  username: usernameSchema,
  displayName: z.string().trim().min(1).max(40),
  password: passwordSchema,
  role: roleSchema,
  districtCode: z.string().min(1).max(32).optional(),
  providerId: z.string().min(1).max(64).optional(),
  staffId: z.string().min(1).max(64).optional(),
});
export type CreateAccountBody = z.infer<typeof createAccountBodySchema>;

export const accountIdParamsSchema = z.object({ id: z.string().min(1).max(64) });

export const meResponseSchema = z.object({
  account: accountViewSchema.nullable(),
  role: roleSchema,
  scope: z.object({ districtCode: z.string().nullable(), providerId: z.string().nullable(), staffId: z.string().nullable() }),
  via: z.enum(['account_token', 'admin_token']),
  expiresAt: z.number().int().nullable(),
});

export const revokeResponseSchema = z.object({ revoked: z.number().int() });
