/**
 * Device state (attributes in ThingsBoard's sense): last seen, online,
 * battery, signal, firmware. Held in memory by supervision and flushed here in
 * batches so a restart knows where every device stood; never written per
 * message.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('device_states')
    .addColumn('device_id', 'text', (c) => c.primaryKey().references('devices.id').onDelete('cascade'))
    .addColumn('online', 'integer', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint')
    .addColumn('battery', 'double precision')
    .addColumn('rssi', 'double precision')
    .addColumn('firmware', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addCheckConstraint('device_states_online_flag', sql`online in (0, 1)`)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('device_states').execute();
}
