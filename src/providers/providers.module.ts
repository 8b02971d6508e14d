/**
 * The provider registry: SQL, the in-memory directory for the dispatch
 * policy, REST, and the demo providers and accounts.
 *
 * Lifecycle: the demo geography is seeded when the registry database opens
 * (AppModule's REGISTRY_DB factory); the demo providers and accounts follow
 * in onModuleInit and the directory is loaded there too, so every
 * onApplicationBootstrap hook (dispatch, the socket gateway, the broker)
 * finds `ProviderDirectory` ready.
 */
import { Global, Inject, Injectable, Module, type OnModuleInit, type Provider } from '@nestjs/common';
import { AccountRepository } from '../accounts/account.repository.js';
import { AccountService } from '../accounts/account.service.js';
import { seedDemoAccounts } from '../accounts/demo/demo-accounts.js';
import type { AppConfig } from '../config/config.schema.js';
import type { Logger } from '../observability/logger.js';
import { APP_CONFIG, CLOCK, LOGGER, REGISTRY_DB, type Clock } from '../platform.tokens.js';
import type { RegistryDb } from '../registry/database.js';
import { ProvidersController, StaffController } from './api/providers.controller.js';
import { seedDemoProviders } from './demo/seed-demo-providers.js';
import { ProviderDirectory } from './provider.directory.js';
import { ProviderRepository } from './provider.repository.js';
import { ProviderService } from './provider.service.js';

const factory = <T>(provide: unknown, inject: unknown[], useFactory: (...args: never[]) => T | Promise<T>): Provider =>
  ({ provide, inject, useFactory }) as Provider;

@Injectable()
export class ProvidersLifecycle implements OnModuleInit {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REGISTRY_DB) private readonly db: RegistryDb,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly directory: ProviderDirectory,
    private readonly accounts: AccountService,
    private readonly accountRepository: AccountRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.config.demo.enabled) {
      const providers = await seedDemoProviders(this.db);
      const accounts = await seedDemoAccounts(this.accounts, this.accountRepository);
      if (providers.seeded || accounts > 0) this.logger.info({ providers: providers.providers, staff: providers.staff, accounts }, 'demo providers and accounts seeded (password in listDemoAccounts, demo only)');
    }
    await this.directory.reload();
  }
}

const providers: Provider[] = [
  factory(ProviderRepository, [REGISTRY_DB], (db: RegistryDb) => new ProviderRepository(db)),
  factory(ProviderDirectory, [ProviderRepository], (repo: ProviderRepository) => new ProviderDirectory(repo)),
  factory(ProviderService, [ProviderRepository, ProviderDirectory, CLOCK], (repo: ProviderRepository, directory: ProviderDirectory, clock: Clock) =>
    new ProviderService(repo, directory, clock),
  ),
  ProvidersLifecycle,
];

// Global: dispatch, the socket gateway and the web screens inject ProviderDirectory/ProviderService without importing this module.
@Global()
@Module({
  controllers: [ProvidersController, StaffController],
  providers,
  exports: [ProviderRepository, ProviderDirectory, ProviderService],
})
export class ProvidersModule {}
