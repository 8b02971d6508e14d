/**
 * Homes and the residents living in them. Personal data is minimised in the
 * schema itself: there is no column for an ID card number or a full resident
 * phone number, only `phone_last4`.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('homes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('community_code', 'text', (c) => c.notNull().references('communities.code').onDelete('restrict'))
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('lat', 'double precision', (c) => c.notNull())
    .addColumn('lon', 'double precision', (c) => c.notNull())
    .addColumn('home_radius_m', 'integer', (c) => c.notNull())
    .addCheckConstraint('homes_radius_positive', sql`home_radius_m > 0`)
    .execute();
  await db.schema.createIndex('homes_community_code_idx').on('homes').column('community_code').execute();

  await db.schema
    .createTable('residents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('phone_last4', 'text')
    .addColumn('birth_year', 'integer', (c) => c.notNull())
    .addColumn('gender', 'text', (c) => c.notNull())
    .addColumn('capability_level', 'integer', (c) => c.notNull())
    .addColumn('living_situation', 'text', (c) => c.notNull())
    .addColumn('conditions', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('emergency_contacts', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('community_code', 'text', (c) => c.notNull().references('communities.code').onDelete('restrict'))
    .addColumn('home_id', 'text', (c) => c.references('homes.id').onDelete('set null'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    // GB/T 42195-2022 §6: five capability levels, 0 (intact) to 4 (lost).
    .addCheckConstraint('residents_capability_level', sql`capability_level between 0 and 4`)
    .addCheckConstraint('residents_living_situation', sql`living_situation in ('alone', 'couple', 'with_family')`)
    .addCheckConstraint('residents_gender', sql`gender in ('female', 'male')`)
    .addCheckConstraint('residents_phone_last4', sql`phone_last4 is null or length(phone_last4) = 4`)
    .execute();
  await db.schema.createIndex('residents_community_code_idx').on('residents').column('community_code').execute();
  await db.schema.createIndex('residents_home_id_idx').on('residents').column('home_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('residents').execute();
  await db.schema.dropTable('homes').execute();
}
