import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { migrateRegistryToLatest, openRegistryDatabase } from '../../../src/registry/database.js';
import { registryMigrations } from '../../../src/registry/migrations/index.js';
import { makeTempDir, openTempRegistry, seedSmallGeography, type TempDir } from './registry.factory.js';

// better-sqlite3 builds SqliteError once per process, against the realm of the
// first test file that loaded it; jest's VM realms then do not see it as an
// Error, so toThrow() says "did not throw". Match driver errors by shape.
describe('registry database', () => {
  let tmp: TempDir;
  beforeEach(() => {
    tmp = makeTempDir();
  });
  afterEach(() => {
    tmp.remove();
  });

  it('creates every table from an empty file on open, with WAL, foreign keys and a busy timeout', async () => {
    const db = await openTempRegistry(tmp);
    try {
      const tables = await db.introspection.getTables();
      // Other modules add their own migrations to the same database: require ours, allow theirs.
      expect(tables.map((t) => t.name)).toEqual(
        expect.arrayContaining(['communities', 'device_states', 'devices', 'districts', 'homes', 'meta', 'residents', 'streets']),
      );
      const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
      expect(applied.rows.map((r) => r.name)).toEqual(Object.keys(registryMigrations));
      const journal = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(db);
      expect(journal.rows[0]?.journal_mode).toBe('wal');
      const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db);
      expect(fk.rows[0]?.foreign_keys).toBe(1);
      const busy = await sql<{ timeout: number }>`pragma busy_timeout`.execute(db);
      expect(busy.rows[0]?.timeout).toBe(5000);
    } finally {
      await db.destroy();
    }
  });

  it('re-opens an existing file without re-running migrations and keeps its data', async () => {
    const first = await openTempRegistry(tmp);
    await seedSmallGeography(first);
    await first.destroy();

    const second = await openTempRegistry(tmp);
    try {
      expect(await migrateRegistryToLatest(second)).toEqual([]);
      const residents = await second.selectFrom('residents').select('id').execute();
      expect(residents).toEqual([{ id: 'r-test-1' }]);
    } finally {
      await second.destroy();
    }
  });

  it('rejects a device bound to a resident that does not exist (foreign keys are on)', async () => {
    const db = await openTempRegistry(tmp);
    try {
      await expect(
        db
          .insertInto('devices')
          .values({ id: 'bed-x1', type: 'care-bed', secret_hash: 'sha256:00', secret_algo: 'sha256', resident_id: 'nobody', home_id: null, label: null, disabled: 0, created_at: 0, provisioned_by: 'test' })
          .execute(),
      ).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_FOREIGNKEY' });
    } finally {
      await db.destroy();
    }
  });

  it('rejects a capability level outside 0–4 (GB/T 42195-2022)', async () => {
    const db = await openTempRegistry(tmp);
    try {
      await seedSmallGeography(db);
      await expect(
        db.updateTable('residents').set({ capability_level: 5 }).where('id', '=', 'r-test-1').execute(),
      ).rejects.toMatchObject({ message: expect.stringContaining('residents_capability_level') as unknown });
    } finally {
      await db.destroy();
    }
  });

  it('fails to open with the name of the migration that could not run', async () => {
    const filename = tmp.file('broken.sqlite');
    const raw = new SQLite(filename);
    raw.exec('create table districts (x text)'); // collides with migration 0001
    raw.close();
    await expect(openRegistryDatabase({ filename })).rejects.toThrow(/registry migration 0001-geography failed/);
  });
});
