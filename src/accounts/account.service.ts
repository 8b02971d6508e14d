/** Creating, listing and disabling accounts (platform admin commands). */
import { randomUUID } from 'node:crypto';
import { scopeProblem, type Role } from '../domain/access/principal.js';
import type { Clock } from '../platform.tokens.js';
import { toAccountView, type AccountRepository } from './account.repository.js';
import type { AccountView } from './account.schema.js';
import { AccountError } from './auth.errors.js';
import type { AuthService } from './auth.service.js';
import type { PasswordHasher } from './password-hasher.js';

export interface NewAccountInput {
  readonly username: string;
  readonly displayName: string;
  readonly password: string;
  readonly role: Role;
  readonly districtCode?: string;
  readonly providerId?: string;
  readonly staffId?: string;
  /** Fixed id (demo seed); a random one otherwise. */
  readonly id?: string;
}

export class AccountService {
  constructor(
    private readonly accounts: AccountRepository,
    private readonly hasher: PasswordHasher,
    private readonly auth: AuthService,
    private readonly clock: Clock,
  ) {}

  /** Validates the role's scope against the registry, hashes the password and stores the account. */
  async create(input: NewAccountInput, createdBy: string): Promise<AccountView> {
    const scope = { districtCode: input.districtCode ?? null, providerId: input.providerId ?? null, staffId: input.staffId ?? null };
    const problem = scopeProblem(input.role, scope);
    if (problem !== undefined) throw new AccountError('invalid_scope', problem);
    if (scope.districtCode !== null && !(await this.accounts.districtExists(scope.districtCode))) {
      throw new AccountError('invalid_scope', `district "${scope.districtCode}" does not exist`);
    }
    if (scope.providerId !== null && !(await this.accounts.providerExists(scope.providerId))) {
      throw new AccountError('invalid_scope', `provider "${scope.providerId}" does not exist`);
    }
    if (scope.staffId !== null) {
      const providerOfStaff = await this.accounts.providerOfStaff(scope.staffId);
      if (providerOfStaff === undefined) throw new AccountError('invalid_scope', `staff "${scope.staffId}" does not exist`);
      if (providerOfStaff !== scope.providerId) throw new AccountError('invalid_scope', `staff "${scope.staffId}" works for another provider`);
    }
    if (await this.accounts.findByUsername(input.username)) throw new AccountError('username_taken', `username "${input.username}" is taken`);
    const id = input.id ?? `acc-${randomUUID()}`;
    await this.accounts.insert({
      id,
      username: input.username,
      displayName: input.displayName,
      passwordHash: await this.hasher.hash(input.password),
      role: input.role,
      ...scope,
      createdAt: this.clock(),
      createdBy,
    });
    return this.get(id);
  }

  async get(id: string): Promise<AccountView> {
    const account = await this.accounts.findById(id);
    if (!account) throw new AccountError('not_found', `account "${id}" does not exist`);
    return toAccountView(account);
  }

  async list(): Promise<AccountView[]> {
    return (await this.accounts.list()).map(toAccountView);
  }

  /** Disables the account and revokes its tokens (connected consoles are dropped through `onRevoked`). */
  async disable(id: string): Promise<AccountView> {
    if (!(await this.accounts.setDisabled(id, true))) throw new AccountError('not_found', `account "${id}" does not exist`);
    await this.auth.revokeAllFor(id, 'account_disabled');
    return this.get(id);
  }

  async enable(id: string): Promise<AccountView> {
    if (!(await this.accounts.setDisabled(id, false))) throw new AccountError('not_found', `account "${id}" does not exist`);
    return this.get(id);
  }

  async revokeTokens(id: string): Promise<number> {
    await this.get(id);
    return this.auth.revokeAllFor(id, 'admin_revoke');
  }
}
