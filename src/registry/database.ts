/**
 * The registry's SQL database: who lives where and which device belongs to
 * whom (state, not telemetry). SQLite through better-sqlite3 today, written so
 * the same schema and queries can run on PostgreSQL later:
 * - ids and codes are `text`, timestamps are integer epoch milliseconds
 *   (`bigint`), coordinates `double precision`, flags 0/1 integers and JSON
 *   columns are text parsed with zod on read;
 * - queries go through kysely only, with no SQLite-only functions.
 *
 * Migrations run on open (`openRegistryDatabase`), from the first table on.
 */
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, type Migration, type MigrationProvider } from 'kysely';
import { registryMigrations } from './migrations/index.js';

export interface DistrictTable {
  /** Our key; equal to the adcode for real districts, e.g. '420102'. */
  code: string;
  name: string;
  /** 6-digit administrative division code (GB/T 2260), e.g. '420102' for 江岸区. */
  adcode: string;
}

export interface StreetTable {
  /** 9-digit township-level code, e.g. '420103001'. */
  code: string;
  district_code: string;
  name: string;
  lat: number;
  lon: number;
}

export interface CommunityTable {
  /** 12-digit village-level code, e.g. '420103001001'. */
  code: string;
  street_code: string;
  name: string;
  lat: number;
  lon: number;
}

export interface HomeTable {
  id: string;
  community_code: string;
  address: string;
  lat: number;
  lon: number;
  /** Geofence radius for wearables, metres. */
  home_radius_m: number;
}

export interface ResidentTable {
  id: string;
  display_name: string;
  /** Only the last four digits of the resident's phone are stored (minimisation). */
  phone_last4: string | null;
  birth_year: number;
  gender: string;
  /** 0–4 per GB/T 42195-2022. */
  capability_level: number;
  living_situation: string;
  /** JSON array of condition codes, e.g. '["COPD","dementia"]'. */
  conditions: string;
  /** JSON array of { relation, name, phone }. */
  emergency_contacts: string;
  community_code: string;
  home_id: string | null;
  created_at: number;
}

export interface DeviceTable {
  id: string;
  type: string;
  /** `sha256:<hex>` of the device secret; the secret itself is never stored. */
  secret_hash: string;
  secret_algo: string;
  resident_id: string | null;
  home_id: string | null;
  label: string | null;
  /** 0 or 1. */
  disabled: number;
  created_at: number;
  /** Who provisioned it: an operator name, 'demo-seed', 'cli'… */
  provisioned_by: string;
}

/** Device state (attributes): flushed in batches, never per message. */
export interface DeviceStateTable {
  device_id: string;
  /** 0 or 1. */
  online: number;
  last_seen_at: number | null;
  battery: number | null;
  rssi: number | null;
  firmware: string | null;
  /** Migration 0150: an announced heartbeat above the type's maximum, s; null while within bounds. */
  announced_heartbeat_s: number | null;
  updated_at: number;
}

/** Small key-value facts about the registry itself (e.g. when demo data was seeded). */
export interface MetaTable {
  key: string;
  value: string;
}

export interface Database {
  districts: DistrictTable;
  streets: StreetTable;
  communities: CommunityTable;
  homes: HomeTable;
  residents: ResidentTable;
  devices: DeviceTable;
  device_states: DeviceStateTable;
  meta: MetaTable;
}

export type RegistryDb = Kysely<Database>;

export interface OpenRegistryOptions {
  /** File path, or ':memory:' for a throwaway database. */
  readonly filename: string;
  /** How long a writer waits for a lock before SQLITE_BUSY, ms. */
  readonly busyTimeoutMs?: number;
}

/** The migrations in `migrations/index.ts`, in code: nothing is read from disk at run time. */
class InCodeMigrationProvider implements MigrationProvider {
  getMigrations(): Promise<Record<string, Migration>> {
    return Promise.resolve(registryMigrations);
  }
}

export class RegistryMigrationError extends Error {
  override readonly name = 'RegistryMigrationError';
}

/**
 * Brings the schema to the latest migration. Safe to call on every start:
 * applied migrations are recorded in `kysely_migration` and skipped.
 * Returns the names of the migrations that ran now.
 */
export async function migrateRegistryToLatest(db: RegistryDb): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new InCodeMigrationProvider() });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new RegistryMigrationError(`registry migration ${failed} failed`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * Opens (creating if needed) the registry database and migrates it.
 *
 * @example
 * const db = await openRegistryDatabase({ filename: 'var/registry.sqlite' });
 * const devices = new DeviceRepository(db);
 * // …
 * await db.destroy(); // closes the SQLite handle
 */
export async function openRegistryDatabase(options: OpenRegistryOptions): Promise<RegistryDb> {
  const sqlite = new SQLite(options.filename);
  try {
    // WAL: readers never block the single writer, and a crash loses at most
    // the last uncommitted transaction. NORMAL sync is durable in WAL mode
    // except on power loss, which the device-state flush tolerates.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
  } catch (error) {
    sqlite.close();
    throw error;
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  try {
    await migrateRegistryToLatest(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return db;
}

/**
 * Runs `fn` in a transaction, or inside the caller's when `db` already is
 * one, so repositories built on a transaction (the demo seed) compose into a
 * single all-or-nothing unit.
 */
export async function withTransaction<T>(db: RegistryDb, fn: (trx: RegistryDb) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}
