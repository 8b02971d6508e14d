/** The account tables (migration 0111-accounts) as kysely types. */
import type { Kysely } from 'kysely';
import type { Database, RegistryDb } from '../registry/database.js';
import type { ProviderTables } from '../providers/providers.tables.js';

export type AccountTable = {
  id: string;
  username: string;
  display_name: string;
  password_hash: string;
  role: string;
  district_code: string | null;
  provider_id: string | null;
  staff_id: string | null;
  /** 0 or 1. */
  disabled: number;
  created_at: number;
  created_by: string;
};

export type AuthTokenTable = {
  jti: string;
  account_id: string;
  issued_at: number;
  expires_at: number;
  revoked_at: number | null;
  revoked_reason: string | null;
};

export type AccountTables = { accounts: AccountTable; auth_tokens: AuthTokenTable };

export type AccountsDb = Kysely<Database & ProviderTables & AccountTables>;

export function accountsDb(db: RegistryDb): AccountsDb {
  return db.withTables<ProviderTables & AccountTables>();
}
