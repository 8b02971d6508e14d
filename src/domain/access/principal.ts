/**
 * Who is acting: the four roles of the platform and the scope each carries
 * (schema first, STYLE.md §10; the token claims and the socket handshake
 * parse the same schema).
 */
import { z } from 'zod';

/**
 * - `platform_admin`: operates the platform; every district and provider.
 * - `district_officer`: 区民政局 duty officer; one district (`districtCode`).
 * - `provider_dispatcher`: a provider's console; one provider (`providerId`).
 * - `caregiver`: a provider's field worker; one provider, and also a Staff row (`staffId`).
 */
export const ROLES = ['platform_admin', 'district_officer', 'provider_dispatcher', 'caregiver'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

export const ROLE_LABELS: Readonly<Record<Role, string>> = {
  platform_admin: '平台管理员',
  district_officer: '区值班员',
  provider_dispatcher: '服务商调度员',
  caregiver: '护理员',
};

/**
 * The scope a principal acts in. Exactly the fields its role needs are set;
 * the others are null (see `scopeProblem`).
 */
export const scopeSchema = z.object({
  districtCode: z.string().min(1).max(32).nullable(),
  providerId: z.string().min(1).max(64).nullable(),
  staffId: z.string().min(1).max(64).nullable(),
});
export type Scope = z.infer<typeof scopeSchema>;

export const principalSchema = z.object({
  /** Account id; `admin-token` for the configured admin bearer token. */
  accountId: z.string().min(1),
  username: z.string().min(1),
  role: roleSchema,
  scope: scopeSchema,
  /** How the principal authenticated: an account token (with its jti) or the configured admin token. */
  via: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('account_token'), jti: z.string().min(1), expiresAt: z.number().int() }),
    z.object({ kind: z.literal('admin_token') }),
  ]),
});
/**
 * @example
 * { accountId: 'acc-minzu-dispatcher', username: 'minzu.dispatcher', role: 'provider_dispatcher',
 *   scope: { districtCode: null, providerId: 'prv-420103-minzu', staffId: 'stf-420103-minzu-1' },
 *   via: { kind: 'account_token', jti: '…', expiresAt: 1767268800000 } }
 */
export type Principal = z.infer<typeof principalSchema>;

/** The configured admin bearer token acts as this platform admin (kept for the CLI and existing clients). */
export const ADMIN_TOKEN_PRINCIPAL: Principal = {
  accountId: 'admin-token',
  username: 'admin-token',
  role: 'platform_admin',
  scope: { districtCode: null, providerId: null, staffId: null },
  via: { kind: 'admin_token' },
};

/**
 * Why a role/scope combination is inconsistent, or undefined when it is
 * valid. A district officer needs a district and nothing else; a dispatcher
 * a provider; a caregiver a provider and a staff id; an admin nothing.
 */
export function scopeProblem(role: Role, scope: Scope): string | undefined {
  const has = { district: scope.districtCode !== null, provider: scope.providerId !== null, staff: scope.staffId !== null };
  switch (role) {
    case 'platform_admin':
      return has.district || has.provider || has.staff ? 'a platform admin has no district, provider or staff scope' : undefined;
    case 'district_officer':
      if (!has.district) return 'a district officer needs a districtCode';
      return has.provider || has.staff ? 'a district officer has no provider or staff scope' : undefined;
    case 'provider_dispatcher':
      if (!has.provider) return 'a provider dispatcher needs a providerId';
      return has.district ? 'a provider dispatcher has no district scope' : undefined;
    case 'caregiver':
      if (!has.provider || !has.staff) return 'a caregiver needs a providerId and a staffId';
      return has.district ? 'a caregiver has no district scope' : undefined;
  }
}
