/**
 * Operator alerts: stored, counted and logged platform-safety alerts, and the
 * admin's REST view of them. Global, so the broker (built by the platform
 * runtime) and the accounts module inject `OPERATOR_ALERTS` without imports.
 */
import { Global, Inject, Injectable, Module, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import type { Registry } from 'prom-client';
import type { Logger } from '../observability/logger.js';
import { LOGGER, OPERATOR_ALERTS, PROM_REGISTRY, REGISTRY_DB } from '../platform.tokens.js';
import type { RegistryDb } from '../registry/database.js';
import { OperatorAlertsController } from './api/operator-alerts.controller.js';
import { OperatorAlertRepository } from './operator-alert.repository.js';
import { OperatorAlertStore } from './operator-alert.store.js';

const factory = <T>(provide: unknown, inject: unknown[], useFactory: (...args: never[]) => T | Promise<T>): Provider =>
  ({ provide, inject, useFactory }) as Provider;

/** Waits for alerts still being written, so a shutdown right after an attack keeps them. */
@Injectable()
export class OperatorAlertsLifecycle implements OnApplicationShutdown {
  constructor(@Inject(OPERATOR_ALERTS) private readonly store: OperatorAlertStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.flush();
  }
}

const providers: Provider[] = [
  factory(OperatorAlertRepository, [REGISTRY_DB], (db: RegistryDb) => new OperatorAlertRepository(db)),
  factory(OPERATOR_ALERTS, [OperatorAlertRepository, PROM_REGISTRY, LOGGER], (repo: OperatorAlertRepository, registry: Registry, logger: Logger) =>
    new OperatorAlertStore(repo, registry, logger.child({ component: 'operator-alerts' })),
  ),
  OperatorAlertsLifecycle,
];

@Global()
@Module({ controllers: [OperatorAlertsController], providers, exports: [OPERATOR_ALERTS, OperatorAlertRepository] })
export class OperatorAlertsModule {}
