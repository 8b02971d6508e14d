/**
 * The rule engine's snapshot (one row), so open windows survive a restart.
 * Stored as JSON text; validated by the engine's zod schema on restore.
 */
import type { RuleEngineSnapshot } from '../domain/rules/rule-engine.snapshot.js';
import type { AlertingDb } from './alerting.tables.js';

const NAME = 'rule-engine';

export class RuleEngineStateRepository {
  constructor(private readonly db: AlertingDb) {}

  async load(): Promise<{ snapshot: unknown; takenAt: number } | undefined> {
    const row = await this.db.selectFrom('rule_engine_state').select(['snapshot', 'taken_at']).where('name', '=', NAME).executeTakeFirst();
    return row ? { snapshot: JSON.parse(row.snapshot) as unknown, takenAt: Number(row.taken_at) } : undefined;
  }

  async save(snapshot: RuleEngineSnapshot, takenAt: number): Promise<void> {
    const row = { name: NAME, snapshot: JSON.stringify(snapshot), taken_at: takenAt, last_inbox_id: null };
    await this.db
      .insertInto('rule_engine_state')
      .values(row)
      .onConflict((oc) => oc.column('name').doUpdateSet({ snapshot: row.snapshot, taken_at: row.taken_at }))
      .execute();
  }
}
