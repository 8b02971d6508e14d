/** The audit tables (migration 0140-audit) as kysely types. */
import type { Generated, Kysely, Selectable } from 'kysely';
import type { Database, RegistryDb } from '../registry/database.js';

export type AuditEntryTable = {
  id: Generated<number>;
  at: number;
  action: string;
  actor_id: string;
  actor_name: string;
  role: string;
  resident_id: string | null;
  district_code: string | null;
  target_kind: string;
  target_id: string | null;
  purpose: string | null;
  address: string | null;
  detail: string;
  prev_hash: string;
  hash: string;
};

export type AuditEntryRow = Selectable<AuditEntryTable>;

export type AuditPrunePermitTable = { before_at: number };

export type AuditTables = { audit_entries: AuditEntryTable; audit_prune_permits: AuditPrunePermitTable };

export type AuditDb = Kysely<Database & AuditTables>;

export function auditDb(db: RegistryDb): AuditDb {
  return db.withTables<AuditTables>();
}
