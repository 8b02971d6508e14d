/**
 * The audit trail (src/audit): append-only in the database itself, so no
 * code path of the platform, present or future, can rewrite history.
 *
 * - `audit_entries`: one row per sensitive read or change. The id is
 *   AUTOINCREMENT so an id is never reused after a prune: a gap within the
 *   retained period shows that rows were removed by other means.
 * - `prev_hash`, `hash`: a SHA-256 chain over the entries
 *   (src/domain/audit/audit-chain.ts), so a change made around the triggers
 *   (someone with the database file) shows when the chain is verified.
 * - Triggers refuse every UPDATE, and every DELETE except of rows older than
 *   a prune permit.
 * - `audit_prune_permits`: the retention prune inserts one (`before_at`),
 *   deletes the older rows and removes the permit, in one transaction. A
 *   permit reaching into the last 180 days of the trail (measured from its
 *   newest entry, which the prune writes first, so the database needs no
 *   clock of its own) is refused: Cybersecurity Law Art. 21 ⑶, six months.
 *
 * The triggers are SQLite's syntax; on PostgreSQL the same rules are a
 * `BEFORE UPDATE OR DELETE` trigger function and a revoked UPDATE/DELETE
 * grant for the application's role.
 */
import { sql, type Kysely } from 'kysely';

/** Keep equal to AUDIT_RETENTION_FLOOR_MS (src/domain/audit/audit-retention.ts); a shipped migration never changes. */
const FLOOR_MS = 180 * 86_400_000;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('audit_entries')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('resident_id', 'text')
    .addColumn('district_code', 'text')
    .addColumn('target_kind', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text')
    .addColumn('purpose', 'text')
    .addColumn('address', 'text')
    /** JSON object of small facts (auditDetailSchema), '{}' when none. */
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_entries_at_idx').on('audit_entries').column('at').execute();
  await db.schema.createIndex('audit_entries_resident_idx').on('audit_entries').columns(['resident_id', 'id']).execute();
  await db.schema.createIndex('audit_entries_district_idx').on('audit_entries').columns(['district_code', 'id']).execute();
  await db.schema.createIndex('audit_entries_actor_idx').on('audit_entries').columns(['actor_id', 'id']).execute();
  await db.schema.createIndex('audit_entries_action_idx').on('audit_entries').columns(['action', 'id']).execute();

  await db.schema.createTable('audit_prune_permits').addColumn('before_at', 'bigint', (c) => c.notNull()).execute();

  await sql`CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
    BEGIN SELECT RAISE(ABORT, 'audit entries are append-only: UPDATE refused'); END`.execute(db);
  await sql`CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
    WHEN NOT EXISTS (SELECT 1 FROM audit_prune_permits p WHERE OLD.at < p.before_at)
    BEGIN SELECT RAISE(ABORT, 'audit entries are append-only: DELETE refused outside the retention prune'); END`.execute(db);
  await sql`CREATE TRIGGER audit_prune_permits_floor BEFORE INSERT ON audit_prune_permits
    WHEN NEW.before_at > (SELECT COALESCE(MAX(at), 0) FROM audit_entries) - ${sql.lit(FLOOR_MS)}
    BEGIN SELECT RAISE(ABORT, 'audit retention below the 180-day floor refused'); END`.execute(db);
  await sql`CREATE TRIGGER audit_prune_permits_no_update BEFORE UPDATE ON audit_prune_permits
    BEGIN SELECT RAISE(ABORT, 'audit prune permits cannot be changed'); END`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TRIGGER IF EXISTS audit_prune_permits_no_update`.execute(db);
  await sql`DROP TRIGGER IF EXISTS audit_prune_permits_floor`.execute(db);
  await sql`DROP TRIGGER IF EXISTS audit_entries_no_delete`.execute(db);
  await sql`DROP TRIGGER IF EXISTS audit_entries_no_update`.execute(db);
  await db.schema.dropTable('audit_prune_permits').execute();
  await db.schema.dropTable('audit_entries').execute();
}
