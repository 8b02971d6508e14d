/**
 * Alerts in SQL: the current state of each alert (upserted from the rule
 * engine's AlertChanges) and one history row per change. Writes are batched:
 * the service hands over every change queued since the last flush and they
 * commit in one transaction.
 */
import { alertSchema, type Alert, type AlertChange, type AlertKind } from '../domain/alerts/alert.schema.js';
import type { AlertingDb } from './alerting.tables.js';
import { ALERT_CHANGES_POSITION } from './rule-engine-state.repository.js';

export interface AlertFilter {
  readonly residentId?: string;
  readonly state?: 'active' | 'cleared';
  readonly kind?: AlertKind;
  /** firstRaisedAt >= from (event time, epoch ms). */
  readonly from?: number;
  /** firstRaisedAt <= to. */
  readonly to?: number;
  readonly limit?: number;
}

/** A change and the server time it was made at. */
export interface TimedAlertChange {
  readonly change: AlertChange;
  readonly at: number;
}

const SQLITE_MAX_ROWS_PER_INSERT = 200;

/** Who made a change, for the history: the person for acknowledge/clear, else the rule engine. */
export function actorOf(change: AlertChange): string {
  switch (change.type) {
    case 'AlertCleared':
      return change.by;
    case 'AlertUpdated':
      return change.reason === 'acknowledged' ? (change.alert.acknowledgedBy ?? 'system') : 'system';
    case 'AlertRaised':
    case 'AlertDowngraded':
      return 'system';
  }
}

function reasonOf(change: AlertChange): string | null {
  switch (change.type) {
    case 'AlertUpdated':
    case 'AlertDowngraded':
      return change.reason;
    case 'AlertCleared':
      return change.alert.clearNote;
    case 'AlertRaised':
      return null;
  }
}

export class AlertRepository {
  constructor(private readonly db: AlertingDb) {}

  /**
   * Commits a batch of changes in one transaction: one upsert per alert
   * (its latest state; `version` grows by the number of changes) and one
   * history row per change. `alertsThrough`: every accepted message up to
   * this inbox id has its alert changes in this batch or an earlier one; it
   * is committed with them, so a replay after a crash knows which changes
   * are already stored (domain/rules/rule-replay.ts).
   */
  async applyChanges(batch: readonly TimedAlertChange[], alertsThrough?: number): Promise<void> {
    if (batch.length === 0) return;
    const latest = new Map<string, { alert: Alert; at: number; changes: number }>();
    for (const { change, at } of batch) {
      const prev = latest.get(change.alert.id);
      latest.set(change.alert.id, { alert: change.alert, at, changes: (prev?.changes ?? 0) + 1 });
    }
    const events = batch.map(({ change, at }) => ({
      alert_id: change.alert.id,
      type: change.type,
      reason: reasonOf(change),
      actor: actorOf(change),
      at,
      severity: change.alert.severity,
      state: change.alert.state,
    }));
    await this.db.transaction().execute(async (trx) => {
      for (const { alert, at, changes } of latest.values()) {
        const row = toRow(alert, at);
        await trx
          .insertInto('alerts')
          .values({ ...row, version: changes })
          .onConflict((oc) =>
            oc.column('id').doUpdateSet((eb) => ({
              ...row,
              version: eb('alerts.version', '+', changes),
            })),
          )
          .execute();
      }
      for (let i = 0; i < events.length; i += SQLITE_MAX_ROWS_PER_INSERT) {
        await trx.insertInto('alert_events').values(events.slice(i, i + SQLITE_MAX_ROWS_PER_INSERT)).execute();
      }
      if (alertsThrough !== undefined) {
        const row = { name: ALERT_CHANGES_POSITION, snapshot: '', taken_at: batch[batch.length - 1]?.at ?? 0, last_inbox_id: alertsThrough };
        await trx
          .insertInto('rule_engine_state')
          .values(row)
          .onConflict((oc) => oc.column('name').doUpdateSet((eb) => ({ taken_at: row.taken_at, last_inbox_id: eb.fn('max', [eb.fn.coalesce('rule_engine_state.last_inbox_id', eb.val(0)), eb.val(alertsThrough)]) })))
          .execute();
      }
    });
  }

  /** Newest first by firstRaisedAt. */
  async list(filter: AlertFilter = {}): Promise<Alert[]> {
    let query = this.db.selectFrom('alerts').select('data').orderBy('first_raised_at', 'desc').orderBy('id').limit(filter.limit ?? 100);
    if (filter.residentId !== undefined) query = query.where('resident_id', '=', filter.residentId);
    if (filter.state !== undefined) query = query.where('state', '=', filter.state);
    if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
    if (filter.from !== undefined) query = query.where('first_raised_at', '>=', filter.from);
    if (filter.to !== undefined) query = query.where('first_raised_at', '<=', filter.to);
    const rows = await query.execute();
    return rows.map((r) => parseAlert(r.data));
  }

  async get(id: string): Promise<{ alert: Alert; version: number } | undefined> {
    const row = await this.db.selectFrom('alerts').select(['data', 'version']).where('id', '=', id).executeTakeFirst();
    return row ? { alert: parseAlert(row.data), version: Number(row.version) } : undefined;
  }

  /** Alerts the AlertBook keeps in memory: active ones and cleared ones nobody acknowledged yet. */
  async listOpen(): Promise<Alert[]> {
    const rows = await this.db
      .selectFrom('alerts')
      .select('data')
      .where((eb) => eb.or([eb('state', '=', 'active'), eb('acknowledged', '=', 0)]))
      .execute();
    return rows.map((r) => parseAlert(r.data));
  }

  async history(alertId: string): Promise<{ type: string; reason: string | null; actor: string; at: number; severity: string; state: string }[]> {
    const rows = await this.db
      .selectFrom('alert_events')
      .select(['type', 'reason', 'actor', 'at', 'severity', 'state'])
      .where('alert_id', '=', alertId)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ ...r, at: Number(r.at) }));
  }
}

function parseAlert(data: string): Alert {
  return alertSchema.parse(JSON.parse(data));
}

function toRow(a: Alert, at: number) {
  return {
    id: a.id,
    resident_id: a.residentId,
    home_id: a.homeId,
    device_id: a.deviceId,
    kind: a.kind,
    vital: a.vital,
    severity: a.severity,
    priority: a.priority,
    state: a.state,
    acknowledged: a.acknowledged ? 1 : 0,
    acknowledged_by: a.acknowledgedBy,
    acknowledged_at: a.acknowledgedAt,
    count: a.count,
    first_raised_at: a.firstRaisedAt,
    last_triggered_at: a.lastTriggeredAt,
    detected_at: a.detectedAt,
    cleared_at: a.clearedAt,
    cleared_by: a.clearedBy,
    evidence: JSON.stringify(a.evidence),
    data: JSON.stringify(a),
    updated_at: at,
  };
}
