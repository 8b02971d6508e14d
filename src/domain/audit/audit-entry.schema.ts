/**
 * The audit trail of sensitive reads and changes (PIPL Art. 51 ⑵–⑶: measures
 * and records of who handled personal information; HIPAA §164.312(b): record
 * and examine activity in systems that hold health information). Schema
 * first (STYLE.md §10): the repository, the REST answer and the CSV export
 * all carry this one shape.
 *
 * An entry says who (actor, role), what (action, target), about whom
 * (resident, district), why (purpose: the work order the read served), when
 * and from where (client address). It never holds the data that was read.
 *
 * @example
 * { id: 42, at: 1772409600000, action: 'resident.card.read', actorId: 'acc-minzu-caregiver1', actorName: 'minzu.caregiver1',
 *   role: 'caregiver', residentId: 'res-420103-0007', districtCode: '420103', targetKind: 'order', targetId: 'ord-…',
 *   purpose: 'ord-…', address: '10.0.0.7', detail: {} }
 */
import { z } from 'zod';
import { ROLES } from '../access/principal.js';

/**
 * Every audited action and its kind:
 * - `read`: unmasked personal data (identity, contacts, readings, positions) left the platform. Fails closed: when the
 *   entry cannot be written the data is not served.
 * - `change`: a resident's, device's, care plan's, account's, provider's or
 *   alert's record changed. Recorded after the change succeeded.
 * - `system`: the platform itself acted on the trail (retention prune).
 */
export const AUDIT_ACTIONS = {
  'resident.card.read': 'read',
  'resident.record.read': 'read',
  'resident.vitals.read': 'read',
  'device.telemetry.read': 'read',
  'telemetry.range.read': 'read',
  'staff.location.read': 'read',
  /** An alert's evidence holds the resident's readings (vitals, presence). */
  'alert.read': 'read',
  /** Every demo home's position, for the simulator. */
  'fleet.manifest.read': 'read',
  /** A care plan's overrides tell a condition (SpO2 scale 2: COPD; a low heart-rate band: bradycardia). */
  'care_plan.read': 'read',
  'audit.export': 'read',
  'device.provision': 'change',
  'device.secret.rotate': 'change',
  'device.disable': 'change',
  'care_plan.change': 'change',
  'care_plan.snooze': 'change',
  'rule_settings.change': 'change',
  'account.create': 'change',
  'account.disable': 'change',
  'account.enable': 'change',
  'account.revoke_tokens': 'change',
  'staff.duty.change': 'change',
  /** A person took an alert (确认告警): the console's staff or an operator over REST. */
  'alert.acknowledge': 'change',
  /** A person ended an alert (解除告警), the only way an SOS, fall, smoke or gas alert ends. */
  'alert.clear': 'change',
  'audit.prune': 'system',
} as const satisfies Record<string, 'read' | 'change' | 'system'>;

export type AuditAction = keyof typeof AUDIT_ACTIONS;
export type AuditActionKind = (typeof AUDIT_ACTIONS)[AuditAction];
export const auditActionSchema = z.enum(Object.keys(AUDIT_ACTIONS) as [AuditAction, ...AuditAction[]]);

export function kindOf(action: AuditAction): AuditActionKind {
  return AUDIT_ACTIONS[action];
}

/** `system` acts for the platform itself (retention prune): no account behind it. */
export const auditRoleSchema = z.enum([...ROLES, 'system']);

export const AUDIT_TARGET_KINDS = ['resident', 'device', 'order', 'alert', 'provider', 'staff', 'account', 'rule_settings', 'fleet', 'audit'] as const;
export const auditTargetKindSchema = z.enum(AUDIT_TARGET_KINDS);

/** Small facts about the action (a field and window read, a care-plan version), never the data read. */
export const auditDetailSchema = z.record(z.string().max(40), z.union([z.string().max(200), z.number(), z.boolean(), z.null()]));

/** What an entry is before the store numbers it. */
export const newAuditEntrySchema = z.object({
  at: z.number().int().nonnegative(),
  action: auditActionSchema,
  /** Account id; `admin-token` for the configured admin token; `system` for the platform. */
  actorId: z.string().min(1).max(64),
  actorName: z.string().min(1).max(64),
  role: auditRoleSchema,
  residentId: z.string().min(1).max(64).nullable(),
  /** District of the resident, device, provider or account concerned; what a district officer's query matches. */
  districtCode: z.string().min(1).max(32).nullable(),
  targetKind: auditTargetKindSchema,
  targetId: z.string().min(1).max(64).nullable(),
  /** The work order the read served, when one did (provider staff reading a resident they were dispatched to). */
  purpose: z.string().min(1).max(64).nullable(),
  /** The client address as the HTTP server saw it; null for the platform's own actions. */
  address: z.string().min(1).max(64).nullable(),
  detail: auditDetailSchema,
});
export type NewAuditEntry = z.infer<typeof newAuditEntrySchema>;

export const auditEntrySchema = newAuditEntrySchema.extend({
  /** Increasing, never reused (also after a prune): a gap in the ids of one period shows deleted rows. */
  id: z.number().int().positive(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const AUDIT_PAGE_MAX = 1_000;

/** The filters of `GET /api/audit` and `GET /api/audit.csv`; newest first, keyset paged by id. */
export const auditQuerySchema = z.object({
  residentId: z.string().min(1).max(64).optional(),
  /** An account id (`actorId` of the entries). */
  actor: z.string().min(1).max(64).optional(),
  action: auditActionSchema.optional(),
  districtCode: z.string().min(1).max(32).optional(),
  /** Epoch ms, inclusive. */
  from: z.coerce.number().int().nonnegative().optional(),
  /** Epoch ms, exclusive. */
  to: z.coerce.number().int().nonnegative().optional(),
  limit: z.coerce.number().int().min(1).max(AUDIT_PAGE_MAX).default(100),
  /** `nextCursor` of the previous page. */
  cursor: z.coerce.number().int().positive().optional(),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;

export const auditPageSchema = z.object({ items: z.array(auditEntrySchema), nextCursor: z.number().int().nullable() });
