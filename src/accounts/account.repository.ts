/** SQL for accounts and issued tokens. */
import { roleSchema, type Role } from '../domain/access/principal.js';
import type { RegistryDb } from '../registry/database.js';
import type { AccountView } from './account.schema.js';
import { accountsDb, type AccountsDb, type AccountTable } from './accounts.tables.js';

export interface AccountRecord extends AccountView {
  readonly passwordHash: string;
}

export interface NewAccount {
  readonly id: string;
  readonly username: string;
  readonly displayName: string;
  readonly passwordHash: string;
  readonly role: Role;
  readonly districtCode: string | null;
  readonly providerId: string | null;
  readonly staffId: string | null;
  readonly createdAt: number;
  readonly createdBy: string;
}

export interface LiveToken {
  readonly jti: string;
  readonly accountId: string;
  readonly expiresAt: number;
}

export type RevokeReason = 'logout' | 'admin_revoke' | 'account_disabled';

export class AccountRepository {
  private readonly db: AccountsDb;

  constructor(db: RegistryDb) {
    this.db = accountsDb(db);
  }

  async insert(account: NewAccount): Promise<void> {
    await this.db
      .insertInto('accounts')
      .values({
        id: account.id,
        username: account.username,
        display_name: account.displayName,
        password_hash: account.passwordHash,
        role: account.role,
        district_code: account.districtCode,
        provider_id: account.providerId,
        staff_id: account.staffId,
        disabled: 0,
        created_at: account.createdAt,
        created_by: account.createdBy,
      })
      .execute();
  }

  async findByUsername(username: string): Promise<AccountRecord | undefined> {
    const row = await this.db.selectFrom('accounts').selectAll().where('username', '=', username).executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  async findById(id: string): Promise<AccountRecord | undefined> {
    const row = await this.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  async list(): Promise<AccountRecord[]> {
    return (await this.db.selectFrom('accounts').selectAll().orderBy('username').execute()).map(toRecord);
  }

  async setDisabled(id: string, disabled: boolean): Promise<boolean> {
    const result = await this.db.updateTable('accounts').set({ disabled: disabled ? 1 : 0 }).where('id', '=', id).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Provider of a staff row, or undefined when the staff id is unknown (caregiver scope check). */
  async providerOfStaff(staffId: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('staff').select('provider_id').where('id', '=', staffId).executeTakeFirst();
    return row?.provider_id;
  }

  async districtExists(code: string): Promise<boolean> {
    return (await this.db.selectFrom('districts').select('code').where('code', '=', code).executeTakeFirst()) !== undefined;
  }

  async providerExists(id: string): Promise<boolean> {
    return (await this.db.selectFrom('providers').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
  }

  async insertToken(token: { readonly jti: string; readonly accountId: string; readonly issuedAt: number; readonly expiresAt: number }): Promise<void> {
    await this.db
      .insertInto('auth_tokens')
      .values({ jti: token.jti, account_id: token.accountId, issued_at: token.issuedAt, expires_at: token.expiresAt, revoked_at: null, revoked_reason: null })
      .execute();
  }

  /** Revokes one token; returns its account and expiry when it was live (not yet revoked). */
  async revokeToken(jti: string, at: number, reason: RevokeReason): Promise<LiveToken | undefined> {
    const row = await this.db.selectFrom('auth_tokens').select(['account_id', 'expires_at', 'revoked_at']).where('jti', '=', jti).executeTakeFirst();
    if (!row || row.revoked_at !== null) return undefined;
    await this.db.updateTable('auth_tokens').set({ revoked_at: at, revoked_reason: reason }).where('jti', '=', jti).execute();
    return { jti, accountId: row.account_id, expiresAt: Number(row.expires_at) };
  }

  /** Revokes every unexpired, unrevoked token of an account; returns them. */
  async revokeAllFor(accountId: string, at: number, reason: RevokeReason): Promise<LiveToken[]> {
    return this.db.transaction().execute(async (trx) => {
      const live = await trx
        .selectFrom('auth_tokens')
        .select(['jti', 'expires_at'])
        .where('account_id', '=', accountId)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', at)
        .execute();
      if (live.length === 0) return [];
      const jtis = live.map((r) => r.jti);
      await trx.updateTable('auth_tokens').set({ revoked_at: at, revoked_reason: reason }).where('jti', 'in', jtis).execute();
      return live.map((r) => ({ jti: r.jti, accountId, expiresAt: Number(r.expires_at) }));
    });
  }

  /** Revoked tokens that have not expired yet: the in-memory deny list at start-up. */
  async liveRevokedTokens(now: number): Promise<LiveToken[]> {
    const rows = await this.db
      .selectFrom('auth_tokens')
      .select(['jti', 'account_id', 'expires_at'])
      .where('revoked_at', 'is not', null)
      .where('expires_at', '>', now)
      .execute();
    return rows.map((r) => ({ jti: r.jti, accountId: r.account_id, expiresAt: Number(r.expires_at) }));
  }

  /** Deletes token rows expired before `before` (they can no longer be used anyway). */
  async pruneExpired(before: number): Promise<number> {
    const result = await this.db.deleteFrom('auth_tokens').where('expires_at', '<', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async count(): Promise<number> {
    const row = await this.db.selectFrom('accounts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }
}

export function toAccountView(record: AccountRecord): AccountView {
  const { passwordHash: _hash, ...view } = record;
  return view;
}

function toRecord(row: AccountTable): AccountRecord {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: roleSchema.parse(row.role),
    districtCode: row.district_code,
    providerId: row.provider_id,
    staffId: row.staff_id,
    disabled: row.disabled === 1,
    createdAt: Number(row.created_at),
    passwordHash: row.password_hash,
  };
}
