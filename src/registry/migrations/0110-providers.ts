/**
 * The provider registry: 三助一护 provider organisations, the services they
 * offer, the streets they have agreed to cover, and their staff with on-duty
 * status, travel mode and last known location. Stores exactly
 * `providerSchema` and `staffSchema` (src/domain/dispatch/provider.schema.ts).
 *
 * Same portability rules as the registry (database.ts): text ids, epoch-ms
 * `bigint` timestamps, `double precision` coordinates, 0/1 flags.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('providers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('district_code', 'text', (c) => c.notNull().references('districts.code'))
    .addColumn('base_lat', 'double precision', (c) => c.notNull())
    .addColumn('base_lon', 'double precision', (c) => c.notNull())
    .addColumn('duty_phone', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('providers_district_idx').on('providers').column('district_code').execute();

  await db.schema
    .createTable('provider_services')
    .addColumn('provider_id', 'text', (c) => c.notNull().references('providers.id').onDelete('cascade'))
    .addColumn('service', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('provider_services_pk', ['provider_id', 'service'])
    .addCheckConstraint('provider_services_service', sql`service in ('meal', 'cleaning', 'medical', 'remote_care')`)
    .execute();
  await db.schema.createIndex('provider_services_service_idx').on('provider_services').column('service').execute();

  await db.schema
    .createTable('provider_streets')
    .addColumn('provider_id', 'text', (c) => c.notNull().references('providers.id').onDelete('cascade'))
    .addColumn('street_code', 'text', (c) => c.notNull().references('streets.code'))
    .addPrimaryKeyConstraint('provider_streets_pk', ['provider_id', 'street_code'])
    .execute();
  await db.schema.createIndex('provider_streets_street_idx').on('provider_streets').column('street_code').execute();

  await db.schema
    .createTable('staff')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('provider_id', 'text', (c) => c.notNull().references('providers.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('on_duty', 'integer', (c) => c.notNull())
    .addColumn('travel_mode', 'text', (c) => c.notNull())
    /** Last known position; all three null until the console or app reports one. */
    .addColumn('last_lat', 'double precision')
    .addColumn('last_lon', 'double precision')
    .addColumn('last_located_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addCheckConstraint('staff_role', sql`role in ('dispatcher', 'caregiver')`)
    .addCheckConstraint('staff_travel_mode', sql`travel_mode in ('walk', 'ebike', 'car')`)
    .addCheckConstraint('staff_on_duty', sql`on_duty in (0, 1)`)
    .execute();
  await db.schema.createIndex('staff_provider_idx').on('staff').columns(['provider_id', 'on_duty']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['staff', 'provider_streets', 'provider_services', 'providers']) await db.schema.dropTable(table).execute();
}
