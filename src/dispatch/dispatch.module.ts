/**
 * Dispatch: alerts → work orders → provider consoles (socket.io) and REST,
 * SLA timers, webhook notifications and district KPIs. Imported by the
 * composition root; the platform's providers (bus, registry database, clock,
 * logger, metrics registry) come from the global AppModule, AuthService and
 * AccessGuard from the global AccountsModule, ProviderDirectory from
 * ProvidersModule (loaded in its onModuleInit, before our bootstrap hook),
 * AuditTrail from the global AuditModule. AlertingModule is imported for the
 * consoles' 确认告警 / 解除告警 (AlertingService keeps the alert lifecycle).
 *
 * Lifecycle: subscribed to the bus and started in onApplicationBootstrap
 * (the scheduler first fires whatever fell due while the backend was down);
 * stopped before the database closes.
 */
import { Inject, Injectable, Module, type OnApplicationBootstrap, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import type { Registry } from 'prom-client';
import type { AppConfig } from '../config/config.schema.js';
import { DomainEventBus } from '../domain/events/event-bus.js';
import { DispatchEngine } from '../domain/dispatch/sla.js';
import type { Logger } from '../observability/logger.js';
import { APP_CONFIG, CLOCK, LOGGER, PROM_REGISTRY, REGISTRY_DB, type Clock } from '../platform.tokens.js';
import type { RegistryDb } from '../registry/database.js';
import { GeographyRepository } from '../registry/geography.repository.js';
import { ResidentRepository } from '../registry/resident.repository.js';
import { ProviderDirectory } from '../providers/provider.directory.js';
import { AlertingModule } from '../alerting/alerting.module.js';
import { AlertingService } from '../alerting/alerting.service.js';
import { AuditTrail } from '../audit/audit-trail.service.js';
import { ConsoleAlertsService } from './console-alerts.service.js';
import { KpisController, OrdersController } from './api/orders.controller.js';
import { slaConfigOf, type DispatchConfig } from './dispatch.config.js';
import { DispatchGateway, DistrictGateway } from './dispatch.gateway.js';
import { PrometheusDispatchMetrics } from './dispatch.metrics.js';
import { DispatchService } from './dispatch.service.js';
import { dispatchDb } from './dispatch.tables.js';
import { WebhookNotifier } from './webhook.notifier.js';
import { WorkOrderRepository } from './work-order.repository.js';

export const DISPATCH_CONFIG = Symbol('DispatchConfig');

const factory = <T>(provide: unknown, inject: unknown[], useFactory: (...args: never[]) => T | Promise<T>): Provider =>
  ({ provide, inject, useFactory }) as Provider;

@Injectable()
export class DispatchLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly dispatch: DispatchService,
    private readonly bus: DomainEventBus,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const log = (what: string) => (error: unknown) => this.logger.error({ err: String(error) }, `dispatch: ${what} failed`);
    this.unsubscribe.push(
      this.bus.subscribe('AlertRaised', (e) => void this.dispatch.onAlertRaised(e).catch(log('AlertRaised'))),
      this.bus.subscribe('AlertUpdated', (e) => void this.dispatch.onAlertUpdated(e).catch(log('AlertUpdated'))),
      this.bus.subscribe('AlertCleared', (e) => void this.dispatch.onAlertEnded(e).catch(log('AlertCleared'))),
      this.bus.subscribe('AlertDowngraded', (e) => void this.dispatch.onAlertEnded(e).catch(log('AlertDowngraded'))),
    );
    this.dispatch.start();
  }

  async onApplicationShutdown(): Promise<void> {
    for (const off of this.unsubscribe.splice(0)) off();
    await this.dispatch.stop();
  }
}

const providers: Provider[] = [
  factory(DISPATCH_CONFIG, [APP_CONFIG], (config: AppConfig): DispatchConfig => config.dispatch),
  factory(WorkOrderRepository, [REGISTRY_DB], (db: RegistryDb) => new WorkOrderRepository(dispatchDb(db))),
  factory(PrometheusDispatchMetrics, [PROM_REGISTRY], (registry: Registry) => new PrometheusDispatchMetrics(registry)),
  factory(
    WebhookNotifier,
    [WorkOrderRepository, DISPATCH_CONFIG, CLOCK, LOGGER, PrometheusDispatchMetrics],
    (repo: WorkOrderRepository, config: DispatchConfig, clock: Clock, logger: Logger, metrics: PrometheusDispatchMetrics) =>
      new WebhookNotifier(repo, config.notify, clock, logger.child({ component: 'notifier' }), (channel, outcome) => metrics.notification(channel, outcome)),
  ),
  factory(
    DispatchService,
    [WorkOrderRepository, ProviderDirectory, ResidentRepository, GeographyRepository, WebhookNotifier, CLOCK, LOGGER, DISPATCH_CONFIG, PrometheusDispatchMetrics, DomainEventBus],
    (
      repo: WorkOrderRepository,
      directory: ProviderDirectory,
      residents: ResidentRepository,
      geography: GeographyRepository,
      notifier: WebhookNotifier,
      clock: Clock,
      logger: Logger,
      config: DispatchConfig,
      metrics: PrometheusDispatchMetrics,
      events: DomainEventBus,
    ) =>
      new DispatchService({ repo, directory, residents, geography, notifier, clock, config, metrics, events, engine: new DispatchEngine(slaConfigOf(config)), logger: logger.child({ component: 'dispatch' }) }),
  ),
  factory(
    ConsoleAlertsService,
    [WorkOrderRepository, AlertingService, AuditTrail, PrometheusDispatchMetrics, LOGGER],
    (orders: WorkOrderRepository, alerts: AlertingService, audit: AuditTrail, metrics: PrometheusDispatchMetrics, logger: Logger) =>
      new ConsoleAlertsService({ orders, alerts, audit, metrics, logger: logger.child({ component: 'console-alerts' }) }),
  ),
  DispatchGateway,
  DistrictGateway,
  DispatchLifecycle,
];

@Module({
  imports: [AlertingModule],
  controllers: [OrdersController, KpisController],
  providers,
  exports: [DispatchService, WorkOrderRepository],
})
export class DispatchModule {}
