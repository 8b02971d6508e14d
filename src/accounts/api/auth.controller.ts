import { Body, Controller, Get, HttpCode, Inject, Ip, Param, Post, Res } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { z } from 'zod';
import { documentRoute } from '../../api/openapi.js';
import { ZodValidationPipe } from '../../api/zod-validation.pipe.js';
import { ROLES, type Principal } from '../../domain/access/principal.js';
import { CLOCK, type Clock } from '../../platform.tokens.js';
import { withoutUndefined } from '../../util/without-undefined.js';
import {
  accountIdParamsSchema,
  accountViewSchema,
  createAccountBodySchema,
  loginBodySchema,
  loginResponseSchema,
  meResponseSchema,
  revokeResponseSchema,
  type AccountView,
  type CreateAccountBody,
} from '../account.schema.js';
import { AccountService } from '../account.service.js';
import { AuthService, type LoginResult } from '../auth.service.js';
import { Audited } from '../../audit/audited.decorator.js';
import { CurrentPrincipal, RequireRole } from './access.guard.js';
import { mapErrors, retryAfterSeconds } from './http-errors.js';

const routes = {
  login: documentRoute({ method: 'post', path: '/api/auth/login', tag: 'auth', public: true, summary: 'Log in with username and password; returns a bearer token (12 h)', body: loginBodySchema, response: loginResponseSchema }),
  logout: documentRoute({ method: 'post', path: '/api/auth/logout', tag: 'auth', roles: ROLES, status: 204, summary: 'Revoke the presented token' }),
  me: documentRoute({ method: 'get', path: '/api/auth/me', tag: 'auth', roles: ROLES, summary: 'Who the presented token belongs to: role and scope', response: meResponseSchema }),
  list: documentRoute({ method: 'get', path: '/api/accounts', tag: 'accounts', roles: ['platform_admin'], summary: 'Every account (platform admin)' }),
  create: documentRoute({ method: 'post', path: '/api/accounts', tag: 'accounts', roles: ['platform_admin'], status: 201, summary: 'Create an account with a role and its scope (platform admin)', body: createAccountBodySchema, response: accountViewSchema }),
  disable: documentRoute({ method: 'post', path: '/api/accounts/:id/disable', tag: 'accounts', roles: ['platform_admin'], summary: 'Disable an account and revoke its tokens', params: accountIdParamsSchema, response: accountViewSchema }),
  enable: documentRoute({ method: 'post', path: '/api/accounts/:id/enable', tag: 'accounts', roles: ['platform_admin'], summary: 'Enable a disabled account', params: accountIdParamsSchema, response: accountViewSchema }),
  revoke: documentRoute({ method: 'post', path: '/api/accounts/:id/revoke-tokens', tag: 'accounts', roles: ['platform_admin'], summary: 'Revoke every live token of an account (connected consoles are disconnected)', params: accountIdParamsSchema, response: revokeResponseSchema }),
};

const idParams = new ZodValidationPipe(accountIdParamsSchema, 'params');

/** An account change is about the account's district (or its provider's), so that district's officer sees it. */
const accountSubject = (a: AccountView) => ({ targetKind: 'account', targetId: a.id, districtCode: a.districtCode, providerId: a.providerId }) as const;

@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly accounts: AccountService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post('login')
  @HttpCode(200)
  async login(
    @Body(new ZodValidationPipe(routes.login.body!, 'body')) body: z.infer<typeof loginBodySchema>,
    // The socket's peer address (no `trust proxy`): a client cannot pick its own throttle key with X-Forwarded-For.
    @Ip() ip: string,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<LoginResult> {
    return mapErrors(this.clock, () => this.auth.login(body.username, body.password, ip)).catch((error: unknown) => {
      // RFC 9110 §10.2.3: a 429 says when to come back.
      const seconds = retryAfterSeconds(error);
      if (seconds !== undefined) res.setHeader('Retry-After', String(seconds));
      throw error;
    });
  }

  @Post('logout')
  @HttpCode(204)
  @RequireRole()
  async logout(@CurrentPrincipal() principal: Principal): Promise<void> {
    await this.auth.logout(principal);
  }

  @Get('me')
  @RequireRole()
  async me(@CurrentPrincipal() principal: Principal): Promise<z.infer<typeof meResponseSchema>> {
    const account = principal.via.kind === 'account_token' ? await mapErrors(this.clock, () => this.accounts.get(principal.accountId)) : null;
    return {
      account,
      role: principal.role,
      scope: principal.scope,
      via: principal.via.kind,
      expiresAt: principal.via.kind === 'account_token' ? principal.via.expiresAt : null,
    };
  }
}

@Controller('api/accounts')
@RequireRole('platform_admin')
export class AccountsController {
  constructor(
    private readonly accounts: AccountService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  async list(): Promise<{ items: AccountView[] }> {
    return { items: await this.accounts.list() };
  }

  @Post()
  @Audited<AccountView>('account.create', (_req, a) => ({ ...accountSubject(a), detail: { role: a.role, username: a.username } }))
  async create(@Body(new ZodValidationPipe(createAccountBodySchema, 'body')) body: CreateAccountBody, @CurrentPrincipal() principal: Principal): Promise<AccountView> {
    return mapErrors(this.clock, () => this.accounts.create(withoutUndefined(body), principal.username));
  }

  @Post(':id/disable')
  @HttpCode(200)
  @Audited<AccountView>('account.disable', (_req, a) => accountSubject(a))
  async disable(@Param(idParams) { id }: { id: string }): Promise<AccountView> {
    return mapErrors(this.clock, () => this.accounts.disable(id));
  }

  @Post(':id/enable')
  @HttpCode(200)
  @Audited<AccountView>('account.enable', (_req, a) => accountSubject(a))
  async enable(@Param(idParams) { id }: { id: string }): Promise<AccountView> {
    return mapErrors(this.clock, () => this.accounts.enable(id));
  }

  @Post(':id/revoke-tokens')
  @HttpCode(200)
  @Audited<{ revoked: number }>('account.revoke_tokens', ({ params }, r) => ({ targetKind: 'account', targetId: params.id ?? null, detail: { revoked: r.revoked } }))
  async revoke(@Param(idParams) { id }: { id: string }): Promise<{ revoked: number }> {
    return { revoked: await mapErrors(this.clock, () => this.accounts.revokeTokens(id)) };
  }
}
