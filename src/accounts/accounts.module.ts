/**
 * Accounts, logins, tokens and the role guard. Global, so any capability
 * module (dispatch, the socket gateway) can put `@RequireRole(…)` on its
 * controllers and inject `AuthService` without importing this module.
 *
 * Lifecycle: the revocation deny list is loaded in onModuleInit, before any
 * onApplicationBootstrap hook (the broker, the gateway) can accept a client.
 */
import { Global, Inject, Injectable, Module, type OnApplicationShutdown, type OnModuleInit, type Provider } from '@nestjs/common';
import type { Registry } from 'prom-client';
import type { AppConfig } from '../config/config.schema.js';
import type { Logger } from '../observability/logger.js';
import type { OperatorAlertSink } from '../domain/operator-alerts/operator-alert.js';
import { APP_CONFIG, CLOCK, LOGGER, OPERATOR_ALERTS, PROM_REGISTRY, REGISTRY_DB, SLEEPER, type Clock, type Sleeper } from '../platform.tokens.js';
import type { RegistryDb } from '../registry/database.js';
import { AccountRepository } from './account.repository.js';
import { AccountService } from './account.service.js';
import { AccessGuard } from './api/access.guard.js';
import { AccountsController, AuthController } from './api/auth.controller.js';
import { PrometheusAuthMetrics } from './auth.metrics.js';
import { AuthService } from './auth.service.js';
import { PasswordHasher } from './password-hasher.js';
import { TokenCodec } from './token.codec.js';
import { authConfigOf, resolveTokenSecret } from './token-secret.js';

const PRUNE_MS = 60 * 60_000;

const factory = <T>(provide: unknown, inject: unknown[], useFactory: (...args: never[]) => T | Promise<T>): Provider =>
  ({ provide, inject, useFactory }) as Provider;

@Injectable()
export class AccountsLifecycle implements OnModuleInit, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly auth: AuthService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.auth.start();
    this.timer = setInterval(() => {
      try {
        this.auth.prune();
      } catch (error) {
        this.logger.error({ err: String(error) }, 'auth prune failed');
      }
    }, PRUNE_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

const providers: Provider[] = [
  factory(AccountRepository, [REGISTRY_DB], (db: RegistryDb) => new AccountRepository(db)),
  { provide: PasswordHasher, useValue: new PasswordHasher() },
  factory(TokenCodec, [APP_CONFIG, CLOCK], (config: AppConfig, clock: Clock) => {
    const auth = authConfigOf(config);
    return new TokenCodec(resolveTokenSecret(auth.tokenSecret, config.dataDir), auth.tokenTtlMinutes * 60_000, clock);
  }),
  factory(PrometheusAuthMetrics, [PROM_REGISTRY], (registry: Registry) => new PrometheusAuthMetrics(registry)),
  factory(
    AuthService,
    [AccountRepository, PasswordHasher, TokenCodec, CLOCK, PrometheusAuthMetrics, LOGGER, OPERATOR_ALERTS, SLEEPER],
    (accounts: AccountRepository, hasher: PasswordHasher, tokens: TokenCodec, clock: Clock, metrics: PrometheusAuthMetrics, logger: Logger, alerts: OperatorAlertSink, sleep: Sleeper) =>
      new AuthService({ accounts, hasher, tokens, clock, metrics, logger: logger.child({ component: 'auth' }), alerts, sleep }),
  ),
  factory(AccountService, [AccountRepository, PasswordHasher, AuthService, CLOCK], (repo: AccountRepository, hasher: PasswordHasher, auth: AuthService, clock: Clock) =>
    new AccountService(repo, hasher, auth, clock),
  ),
  AccessGuard,
  AccountsLifecycle,
];

@Global()
@Module({
  controllers: [AuthController, AccountsController],
  providers,
  exports: [AuthService, AccountService, AccountRepository, AccessGuard],
})
export class AccountsModule {}
