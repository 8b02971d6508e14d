/**
 * Which provider console was told that an alert is 待确认 (a one-device fall
 * in its cancel window, before any work order exists), so that the same
 * console hears how the wait ended even when the dispatch plan has changed
 * meanwhile or the backend restarted. One row per alert; `ended_at` is set
 * when the console was told the end (a fall re-opened later is announced
 * again and the row reused).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('pending_alert_notices')
    .addColumn('alert_id', 'text', (c) => c.primaryKey())
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('announced_at', 'bigint', (c) => c.notNull())
    .addColumn('ended_at', 'bigint')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('pending_alert_notices').execute();
}
