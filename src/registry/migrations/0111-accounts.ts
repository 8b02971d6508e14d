/**
 * Accounts and their issued tokens. A token row exists for every JWT issued
 * (its `jti`), so a token can be revoked before it expires and the
 * revocation survives a restart.
 *
 * Scope columns follow the role (see `scopeProblem` in src/domain/access):
 * district_officer → district_code; provider_dispatcher → provider_id
 * (staff_id optional); caregiver → provider_id and staff_id (a caregiver is
 * also a Staff row). Foreign keys keep a scope pointing at something real.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    /** PHC string `$argon2id$v=19$m=…,t=…,p=…$salt$hash` (parameters travel with the hash). */
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('district_code', 'text', (c) => c.references('districts.code'))
    .addColumn('provider_id', 'text', (c) => c.references('providers.id'))
    .addColumn('staff_id', 'text', (c) => c.references('staff.id'))
    .addColumn('disabled', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addCheckConstraint('accounts_role', sql`role in ('platform_admin', 'district_officer', 'provider_dispatcher', 'caregiver')`)
    .addCheckConstraint('accounts_disabled', sql`disabled in (0, 1)`)
    .execute();

  await db.schema
    .createTable('auth_tokens')
    .addColumn('jti', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('issued_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    /** logout | admin_revoke | account_disabled */
    .addColumn('revoked_reason', 'text')
    .execute();
  await db.schema.createIndex('auth_tokens_account_idx').on('auth_tokens').columns(['account_id', 'expires_at']).execute();
  await db.schema.createIndex('auth_tokens_expires_idx').on('auth_tokens').column('expires_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('auth_tokens').execute();
  await db.schema.dropTable('accounts').execute();
}
