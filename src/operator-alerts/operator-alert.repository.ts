/** The `operator_alerts` table (migration 0130): append and list, newest first. */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { OperatorAlert, OperatorAlertKind } from '../domain/operator-alerts/operator-alert.js';
import type { Database, RegistryDb } from '../registry/database.js';
import { clampPageSize, toPage, type Page, type PageRequest } from '../registry/paging.js';

export type OperatorAlertTable = { id: string; kind: string; subject: string; raised_at: number; detail: string };
type OperatorAlertsDb = Kysely<Database & { operator_alerts: OperatorAlertTable }>;

export interface StoredOperatorAlert extends OperatorAlert {
  readonly id: string;
}

export interface OperatorAlertQuery extends PageRequest {
  readonly kind?: OperatorAlertKind;
  readonly subject?: string;
  /** Epoch ms, inclusive. */
  readonly since?: number;
}

const detailSchema = z.record(z.string(), z.unknown());

/** Cursor `raisedAt:id`, since the list is ordered by time, newest first. */
function cursorOf(row: OperatorAlertTable): string {
  return `${row.raised_at}:${row.id}`;
}

export class OperatorAlertRepository {
  private readonly db: OperatorAlertsDb;

  constructor(db: RegistryDb) {
    this.db = db.withTables<{ operator_alerts: OperatorAlertTable }>();
  }

  async insert(alert: StoredOperatorAlert): Promise<void> {
    await this.db
      .insertInto('operator_alerts')
      .values({ id: alert.id, kind: alert.kind, subject: alert.subject, raised_at: alert.raisedAt, detail: JSON.stringify(alert.detail) })
      .execute();
  }

  async list(query: OperatorAlertQuery): Promise<Page<StoredOperatorAlert>> {
    const limit = clampPageSize(query.limit);
    let q = this.db.selectFrom('operator_alerts').selectAll();
    if (query.kind !== undefined) q = q.where('kind', '=', query.kind);
    if (query.subject !== undefined) q = q.where('subject', '=', query.subject);
    if (query.since !== undefined) q = q.where('raised_at', '>=', query.since);
    if (query.cursor !== undefined) {
      const [at, id] = splitCursor(query.cursor);
      q = q.where((eb) => eb.or([eb('raised_at', '<', at), eb.and([eb('raised_at', '=', at), eb('id', '<', id)])]));
    }
    const rows = await q.orderBy('raised_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    return toPage(rows, limit, cursorOf, (row) => ({
      id: row.id,
      kind: row.kind as OperatorAlertKind,
      subject: row.subject,
      raisedAt: Number(row.raised_at),
      detail: detailSchema.catch({}).parse(JSON.parse(row.detail)),
    }));
  }
}

function splitCursor(cursor: string): [number, string] {
  const sep = cursor.indexOf(':');
  const at = Number(cursor.slice(0, sep));
  if (sep < 0 || !Number.isSafeInteger(at)) throw new RangeError(`invalid cursor: ${cursor}`);
  return [at, cursor.slice(sep + 1)];
}
