/**
 * Geography: districts (区), streets (街道) and communities (社区). Codes are
 * text so leading zeros and future non-numeric codes survive.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('districts')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('adcode', 'text', (c) => c.notNull().unique())
    .execute();

  await db.schema
    .createTable('streets')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('district_code', 'text', (c) => c.notNull().references('districts.code').onDelete('restrict'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('lat', 'double precision', (c) => c.notNull())
    .addColumn('lon', 'double precision', (c) => c.notNull())
    .addCheckConstraint('streets_lat_range', sql`lat between -90 and 90`)
    .addCheckConstraint('streets_lon_range', sql`lon between -180 and 180`)
    .execute();
  await db.schema.createIndex('streets_district_code_idx').on('streets').column('district_code').execute();

  await db.schema
    .createTable('communities')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('street_code', 'text', (c) => c.notNull().references('streets.code').onDelete('restrict'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('lat', 'double precision', (c) => c.notNull())
    .addColumn('lon', 'double precision', (c) => c.notNull())
    .addCheckConstraint('communities_lat_range', sql`lat between -90 and 90`)
    .addCheckConstraint('communities_lon_range', sql`lon between -180 and 180`)
    .execute();
  await db.schema.createIndex('communities_street_code_idx').on('communities').column('street_code').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('communities').execute();
  await db.schema.dropTable('streets').execute();
  await db.schema.dropTable('districts').execute();
}
