/**
 * SQL for the audit trail (STYLE.md §3): append, query, and the retention
 * prune. The table refuses UPDATE and DELETE by itself (migration
 * 0140-audit); the prune is the one DELETE it lets through, under a permit.
 */
import { chainHash, GENESIS_HASH, type ChainedEntry } from '../domain/audit/audit-chain.js';
import { auditEntrySchema, type AuditAction, type AuditEntry, type NewAuditEntry } from '../domain/audit/audit-entry.schema.js';
import type { RegistryDb } from '../registry/database.js';
import { auditDb, type AuditDb, type AuditEntryRow } from './audit.tables.js';

export interface AuditFilter {
  readonly residentId?: string;
  readonly actorId?: string;
  readonly action?: AuditAction;
  readonly districtCode?: string;
  /** Epoch ms, inclusive. */
  readonly from?: number;
  /** Epoch ms, exclusive. */
  readonly to?: number;
  /** Entries with a smaller id than this (the previous page's `nextCursor`). */
  readonly cursor?: number;
  readonly limit: number;
}

export interface AuditPage {
  readonly items: AuditEntry[];
  readonly nextCursor: number | null;
}

export class AuditRepository {
  private readonly db: AuditDb;

  constructor(db: RegistryDb) {
    this.db = auditDb(db);
  }

  /** Appends `entry` chained to the newest one (read and written in one transaction, so two appends never share a link). */
  async append(entry: NewAuditEntry): Promise<AuditEntry> {
    return this.db.transaction().execute((trx) => appendChained(trx, entry));
  }

  /** Entries in ascending id order with their chain fields, a page at a time (for verification). */
  async chain(afterId: number, limit: number): Promise<ChainedEntry[]> {
    const rows = await this.db.selectFrom('audit_entries').selectAll().where('id', '>', afterId).orderBy('id', 'asc').limit(limit).execute();
    return rows.map((row) => ({ ...fromRow(row), prevHash: row.prev_hash, hash: row.hash, detailJson: row.detail }));
  }

  /** Newest first. */
  async query(filter: AuditFilter): Promise<AuditPage> {
    let q = this.db.selectFrom('audit_entries').selectAll();
    if (filter.residentId !== undefined) q = q.where('resident_id', '=', filter.residentId);
    if (filter.actorId !== undefined) q = q.where('actor_id', '=', filter.actorId);
    if (filter.action !== undefined) q = q.where('action', '=', filter.action);
    if (filter.districtCode !== undefined) q = q.where('district_code', '=', filter.districtCode);
    if (filter.from !== undefined) q = q.where('at', '>=', filter.from);
    if (filter.to !== undefined) q = q.where('at', '<', filter.to);
    if (filter.cursor !== undefined) q = q.where('id', '<', filter.cursor);
    const rows = await q.orderBy('id', 'desc').limit(filter.limit + 1).execute();
    const page = rows.slice(0, filter.limit).map(fromRow);
    const last = page[page.length - 1];
    return { items: page, nextCursor: rows.length > filter.limit && last !== undefined ? last.id : null };
  }

  /**
   * Deletes the entries older than `beforeAt` and appends `entry` (the
   * record of this prune, told how many went), in one transaction: the
   * entry first, so the database measures its 180-day floor from now; then
   * the permit the delete trigger asks for, the delete, and the permit's
   * removal. With nothing to delete it writes nothing: an hourly idle
   * prune would only add noise to the trail.
   */
  async prune(beforeAt: number, entry: (deleted: number) => NewAuditEntry): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const { n } = await trx.selectFrom('audit_entries').select((eb) => eb.fn.countAll<number>().as('n')).where('at', '<', beforeAt).executeTakeFirstOrThrow();
      const deleted = Number(n);
      if (deleted === 0) return 0;
      await appendChained(trx, entry(deleted));
      await trx.insertInto('audit_prune_permits').values({ before_at: beforeAt }).execute();
      await trx.deleteFrom('audit_entries').where('at', '<', beforeAt).execute();
      await trx.deleteFrom('audit_prune_permits').execute();
      return deleted;
    });
  }
}

async function appendChained(trx: AuditDb, entry: NewAuditEntry): Promise<AuditEntry> {
  const last = await trx.selectFrom('audit_entries').select('hash').orderBy('id', 'desc').limit(1).executeTakeFirst();
  const prevHash = last?.hash ?? GENESIS_HASH;
  const row = toRow(entry);
  const { id } = await trx
    .insertInto('audit_entries')
    .values({ ...row, prev_hash: prevHash, hash: chainHash(prevHash, entry, row.detail) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { ...entry, id };
}

function toRow(entry: NewAuditEntry): Omit<AuditEntryRow, 'id' | 'prev_hash' | 'hash'> {
  return {
    at: entry.at,
    action: entry.action,
    actor_id: entry.actorId,
    actor_name: entry.actorName,
    role: entry.role,
    resident_id: entry.residentId,
    district_code: entry.districtCode,
    target_kind: entry.targetKind,
    target_id: entry.targetId,
    purpose: entry.purpose,
    address: entry.address,
    detail: JSON.stringify(entry.detail),
  };
}

function fromRow(row: AuditEntryRow): AuditEntry {
  return auditEntrySchema.parse({
    id: row.id,
    at: Number(row.at),
    action: row.action,
    actorId: row.actor_id,
    actorName: row.actor_name,
    role: row.role,
    residentId: row.resident_id,
    districtCode: row.district_code,
    targetKind: row.target_kind,
    targetId: row.target_id,
    purpose: row.purpose,
    address: row.address,
    detail: JSON.parse(row.detail) as unknown,
  });
}
