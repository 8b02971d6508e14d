/**
 * Alerting: alerts (current state, upserted from AlertChange), their change
 * history, care plans and global rule settings (versioned, every change
 * audited), and the rule engine's snapshot (restart safety).
 *
 * Same portability rules as the registry (database.ts): text ids, integer
 * epoch-ms timestamps (`bigint`), 0/1 flags, JSON as text parsed with zod on
 * read. No foreign key from alerts to residents: alert history must outlive a
 * resident record (audit), and alerts about a home or a device have no resident.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('resident_id', 'text')
    .addColumn('home_id', 'text')
    .addColumn('device_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    /** Discriminator for vitals_out_of_range (heartRate, spo2…); null otherwise. */
    .addColumn('vital', 'text')
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('priority', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('acknowledged', 'integer', (c) => c.notNull())
    .addColumn('acknowledged_by', 'text')
    .addColumn('acknowledged_at', 'bigint')
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('first_raised_at', 'bigint', (c) => c.notNull())
    .addColumn('last_triggered_at', 'bigint', (c) => c.notNull())
    .addColumn('detected_at', 'bigint', (c) => c.notNull())
    .addColumn('cleared_at', 'bigint')
    .addColumn('cleared_by', 'text')
    .addColumn('evidence', 'text', (c) => c.notNull())
    /** The whole alert as the domain sees it (alertSchema), so a restart can rebuild the AlertBook. */
    .addColumn('data', 'text', (c) => c.notNull())
    /** Number of changes applied (optimistic concurrency for dispatch). */
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addCheckConstraint('alerts_state', sql`state in ('active', 'cleared')`)
    .addCheckConstraint('alerts_severity', sql`severity in ('critical', 'major', 'minor', 'warning')`)
    .addCheckConstraint('alerts_priority', sql`priority in ('P1', 'P2', 'P3')`)
    .execute();
  await db.schema.createIndex('alerts_resident_first_raised_idx').on('alerts').columns(['resident_id', 'first_raised_at']).execute();
  await db.schema.createIndex('alerts_first_raised_idx').on('alerts').column('first_raised_at').execute();
  await db.schema.createIndex('alerts_state_kind_idx').on('alerts').columns(['state', 'kind']).execute();

  await db.schema
    .createTable('alert_events')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('alert_id', 'text', (c) => c.notNull())
    /** AlertRaised | AlertUpdated | AlertCleared | AlertDowngraded */
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    /** `system` for the rule engine, otherwise the person. */
    .addColumn('actor', 'text', (c) => c.notNull())
    /** Server time of the change. */
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('alert_events_alert_id_idx').on('alert_events').columns(['alert_id', 'id']).execute();

  await db.schema
    .createTable('care_plans')
    .addColumn('resident_id', 'text', (c) => c.primaryKey().references('residents.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('plan', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('care_plan_audit')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('resident_id', 'text', (c) => c.notNull())
    .addColumn('from_version', 'integer', (c) => c.notNull())
    .addColumn('to_version', 'integer', (c) => c.notNull())
    /** The patch as sent. */
    .addColumn('patch', 'text', (c) => c.notNull())
    /** Field-by-field before/after (CarePlanAudit.changes). */
    .addColumn('changes', 'text', (c) => c.notNull())
    .addColumn('changed_by', 'text', (c) => c.notNull())
    .addColumn('changed_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('care_plan_audit_resident_idx').on('care_plan_audit').columns(['resident_id', 'to_version']).execute();

  await db.schema
    .createTable('rule_settings')
    /** 'global' today; a district scope can come later without a schema change. */
    .addColumn('scope', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('rule_settings_audit')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('from_version', 'integer', (c) => c.notNull())
    .addColumn('to_version', 'integer', (c) => c.notNull())
    .addColumn('patch', 'text', (c) => c.notNull())
    .addColumn('changed_by', 'text', (c) => c.notNull())
    .addColumn('changed_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('rule_engine_state')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('snapshot', 'text', (c) => c.notNull())
    .addColumn('taken_at', 'bigint', (c) => c.notNull())
    /** Reserved for replaying the durable inbox after the snapshot (not used yet). */
    .addColumn('last_inbox_id', 'integer')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['rule_engine_state', 'rule_settings_audit', 'rule_settings', 'care_plan_audit', 'care_plans', 'alert_events', 'alerts']) {
    await db.schema.dropTable(table).execute();
  }
}
