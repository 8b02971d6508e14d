/**
 * The rule engine's snapshot (one row), so open windows survive a restart.
 * Stored as JSON text; validated by the engine's zod schema on restore.
 *
 * Two positions in the durable inbox go with it (see domain/rules/rule-replay.ts):
 * `last_inbox_id` of the snapshot row, the last accepted message the snapshot
 * includes; and the `alert-changes` row's, the last message whose alert
 * changes are committed (written by AlertRepository.applyChanges, in the
 * same transaction as the changes).
 */
import type { RuleEngineSnapshot } from '../domain/rules/rule-engine.snapshot.js';
import type { AlertingDb } from './alerting.tables.js';

const NAME = 'rule-engine';
/** The row recording how far the stored alert changes go; its snapshot column is unused (''). */
export const ALERT_CHANGES_POSITION = 'alert-changes';

export interface StoredRuleEngineState {
  readonly snapshot: unknown;
  readonly takenAt: number;
  /** Last inbox id the snapshot includes; null for a snapshot written before positions were recorded. */
  readonly through: number | null;
}

export class RuleEngineStateRepository {
  constructor(private readonly db: AlertingDb) {}

  async load(): Promise<StoredRuleEngineState | undefined> {
    const row = await this.db.selectFrom('rule_engine_state').select(['snapshot', 'taken_at', 'last_inbox_id']).where('name', '=', NAME).executeTakeFirst();
    return row ? { snapshot: JSON.parse(row.snapshot) as unknown, takenAt: Number(row.taken_at), through: row.last_inbox_id === null ? null : Number(row.last_inbox_id) } : undefined;
  }

  async save(snapshot: RuleEngineSnapshot, takenAt: number, through: number): Promise<void> {
    const row = { name: NAME, snapshot: JSON.stringify(snapshot), taken_at: takenAt, last_inbox_id: through };
    await this.db
      .insertInto('rule_engine_state')
      .values(row)
      .onConflict((oc) => oc.column('name').doUpdateSet({ snapshot: row.snapshot, taken_at: row.taken_at, last_inbox_id: row.last_inbox_id }))
      .execute();
  }

  /** Last inbox id whose alert changes are committed; null if none was recorded. */
  async alertsThrough(): Promise<number | null> {
    const row = await this.db.selectFrom('rule_engine_state').select('last_inbox_id').where('name', '=', ALERT_CHANGES_POSITION).executeTakeFirst();
    return row?.last_inbox_id === null || row?.last_inbox_id === undefined ? null : Number(row.last_inbox_id);
  }
}
