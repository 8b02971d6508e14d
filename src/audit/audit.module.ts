/**
 * The audit trail. Global, so any controller can put `@Audited(…)` on a
 * route (its interceptor injects AuditTrail) without importing this module.
 * Entries past `audit.retentionDays` are pruned at start and then every
 * `audit.pruneIntervalMinutes`.
 */
import { Global, Inject, Injectable, Module, type OnApplicationBootstrap, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import type { Registry } from 'prom-client';
import type { AppConfig } from '../config/config.schema.js';
import { DispatchModule } from '../dispatch/dispatch.module.js';
import { WorkOrderRepository } from '../dispatch/work-order.repository.js';
import type { Logger } from '../observability/logger.js';
import { APP_CONFIG, CLOCK, LOGGER, PROM_REGISTRY, REGISTRY_DB, type Clock } from '../platform.tokens.js';
import { ProviderRepository } from '../providers/provider.repository.js';
import type { RegistryDb } from '../registry/database.js';
import { DeviceRepository } from '../registry/device.repository.js';
import { ResidentRepository } from '../registry/resident.repository.js';
import { AuditController } from './api/audit.controller.js';
import { AuditTrail, type AuditSubjectDirectory } from './audit-trail.service.js';
import { PrometheusAuditMetrics } from './audit.metrics.js';
import { AuditRepository } from './audit.repository.js';
import { AuditInterceptor } from './audited.decorator.js';

const factory = <T>(provide: unknown, inject: unknown[], useFactory: (...args: never[]) => T | Promise<T>): Provider =>
  ({ provide, inject, useFactory }) as Provider;

@Injectable()
export class AuditLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly trail: AuditTrail,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.pruneLogged();
    this.timer = setInterval(() => void this.pruneLogged(), this.config.audit.pruneIntervalMinutes * 60_000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async pruneLogged(): Promise<void> {
    try {
      await this.trail.prune();
    } catch (error) {
      this.logger.error({ err: String(error) }, 'audit prune failed');
    }
  }
}

const providers: Provider[] = [
  factory(AuditRepository, [REGISTRY_DB], (db: RegistryDb) => new AuditRepository(db)),
  factory(PrometheusAuditMetrics, [PROM_REGISTRY], (registry: Registry) => new PrometheusAuditMetrics(registry)),
  factory(
    AuditTrail,
    [AuditRepository, PrometheusAuditMetrics, DeviceRepository, ResidentRepository, ProviderRepository, WorkOrderRepository, CLOCK, LOGGER, APP_CONFIG],
    (repository: AuditRepository, metrics: PrometheusAuditMetrics, devices: DeviceRepository, residents: ResidentRepository, providers: ProviderRepository, orders: WorkOrderRepository, clock: Clock, logger: Logger, config: AppConfig) => {
      const directory: AuditSubjectDirectory = {
        deviceBinding: (id) => devices.findBinding(id),
        residentDistrict: async (id) => (await residents.getById(id))?.districtCode ?? null,
        providerDistrict: async (id) => (await providers.get(id))?.districtCode ?? null,
        servingOrder: (providerId, residentId) => orders.latestServing(providerId, residentId),
      };
      return new AuditTrail({ repository, directory, metrics, clock, logger: logger.child({ component: 'audit' }), retentionDays: config.audit.retentionDays });
    },
  ),
  AuditInterceptor,
  AuditLifecycle,
];

@Global()
@Module({
  // Work orders give a read its purpose.
  imports: [DispatchModule],
  controllers: [AuditController],
  providers,
  exports: [AuditTrail, AuditRepository, AuditInterceptor],
})
export class AuditModule {}
