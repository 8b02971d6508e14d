/**
 * Operator alerts (src/operator-alerts): platform-safety conditions for the
 * operator, such as a device whose session is taken over again and again.
 * Append-only from the application's side; `detail` is JSON text.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('operator_alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('raised_at', 'bigint', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('operator_alerts_raised_idx').on('operator_alerts').columns(['raised_at', 'id']).execute();
  await db.schema.createIndex('operator_alerts_subject_idx').on('operator_alerts').columns(['subject', 'raised_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('operator_alerts').execute();
}
