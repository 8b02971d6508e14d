/**
 * Devices and their bindings. A device belongs to a resident (wearable, care
 * bed, SOS button), to a home (radar, smoke, door…), to both, or to nobody yet
 * (provisioned in the warehouse, bound at installation).
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('devices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('secret_algo', 'text', (c) => c.notNull())
    .addColumn('resident_id', 'text', (c) => c.references('residents.id').onDelete('set null'))
    .addColumn('home_id', 'text', (c) => c.references('homes.id').onDelete('set null'))
    .addColumn('label', 'text')
    .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('provisioned_by', 'text', (c) => c.notNull())
    .addCheckConstraint('devices_disabled_flag', sql`disabled in (0, 1)`)
    .execute();
  await db.schema.createIndex('devices_resident_id_idx').on('devices').column('resident_id').execute();
  await db.schema.createIndex('devices_home_id_idx').on('devices').column('home_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('devices').execute();
}
