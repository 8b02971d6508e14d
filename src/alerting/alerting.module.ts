/**
 * Alerting: the rule engine wired to ingest's domain events, alert and care
 * plan persistence, and their REST API. Imported by the composition root;
 * the platform's providers (bus, registry database, clock, logger, metrics
 * registry) come from the global AppModule.
 *
 * Lifecycle order (Nest runs hooks of imported modules before the root's):
 * the engine is restored and subscribed before PlatformRuntime opens the
 * broker, and snapshotted before the broker and the database close.
 */
import { Injectable, Module, type OnApplicationBootstrap, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import type { Registry } from 'prom-client';
import type { AppConfig } from '../config/config.schema.js';
import { DomainEventBus } from '../domain/events/event-bus.js';
import type { Logger } from '../observability/logger.js';
import { DurableInbox } from '../ingest/durable-inbox.js';
import { InboxEventLog } from '../ingest/inbox-event-log.js';
import { PlatformRuntime } from '../platform.runtime.js';
import { APP_CONFIG, CLOCK, LOGGER, PROM_REGISTRY, REGISTRY_DB, type Clock } from '../platform.tokens.js';
import type { RegistryDb } from '../registry/database.js';
import { ResidentRepository } from '../registry/resident.repository.js';
import { AlertRepository } from './alert.repository.js';
import { alertingDb } from './alerting.tables.js';
import { PrometheusAlertingMetrics } from './alerting.metrics.js';
import { AlertingService, DEFAULT_ALERTING_OPTIONS } from './alerting.service.js';
import { AlertsController } from './api/alerts.controller.js';
import { CarePlansController } from './api/care-plans.controller.js';
import { RuleSettingsController } from './api/rule-settings.controller.js';
import { CarePlanRepository } from './care-plan.repository.js';
import { CarePlanService } from './care-plan.service.js';
import { ResidentContextCache } from './resident-context.cache.js';
import { RuleEngineStateRepository } from './rule-engine-state.repository.js';
import { RuleSettingsRepository } from './rule-settings.repository.js';
import { RuleSettingsService } from './rule-settings.service.js';

/**
 * The districts this deployment serves are in China: night windows and rest
 * periods are evaluated in Asia/Shanghai. A `timeZone` key in the platform
 * config overrides it once the config schema has one.
 */
export const DEFAULT_DISTRICT_TIME_ZONE = 'Asia/Shanghai';

function timeZoneOf(config: AppConfig): string {
  const configured = (config as { readonly timeZone?: unknown }).timeZone;
  return typeof configured === 'string' && configured.length > 0 ? configured : DEFAULT_DISTRICT_TIME_ZONE;
}

const factory = <T>(provide: unknown, inject: unknown[], useFactory: (...args: never[]) => T | Promise<T>): Provider =>
  ({ provide, inject, useFactory }) as Provider;

/**
 * Starts the engine (restore, replay of the inbox after its snapshot) after
 * the registry is open and stops it before the database closes. What the
 * start raised is published once every module subscribed, before the broker
 * opens (dispatch bootstraps after us).
 */
@Injectable()
export class AlertingLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly alerting: AlertingService,
    private readonly runtime: PlatformRuntime,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.alerting.start();
    this.runtime.runBeforeIngress(() => this.alerting.publishHeld());
  }

  onApplicationShutdown(): Promise<void> {
    return this.alerting.stop();
  }
}

const providers: Provider[] = [
  factory(AlertRepository, [REGISTRY_DB], (db: RegistryDb) => new AlertRepository(alertingDb(db))),
  factory(CarePlanRepository, [REGISTRY_DB], (db: RegistryDb) => new CarePlanRepository(alertingDb(db))),
  factory(RuleSettingsRepository, [REGISTRY_DB], (db: RegistryDb) => new RuleSettingsRepository(alertingDb(db))),
  factory(RuleEngineStateRepository, [REGISTRY_DB], (db: RegistryDb) => new RuleEngineStateRepository(alertingDb(db))),
  factory(PrometheusAlertingMetrics, [PROM_REGISTRY], (registry: Registry) => new PrometheusAlertingMetrics(registry)),
  factory(ResidentContextCache, [REGISTRY_DB, CarePlanRepository, APP_CONFIG, LOGGER], (db: RegistryDb, plans: CarePlanRepository, config: AppConfig, logger: Logger) =>
    new ResidentContextCache(alertingDb(db), plans, timeZoneOf(config), logger.child({ component: 'alerting' })),
  ),
  factory(
    AlertingService,
    [DomainEventBus, CLOCK, AlertRepository, RuleEngineStateRepository, RuleSettingsRepository, ResidentContextCache, PrometheusAlertingMetrics, LOGGER, DurableInbox],
    async (
      bus: DomainEventBus,
      clock: Clock,
      alerts: AlertRepository,
      engineState: RuleEngineStateRepository,
      settings: RuleSettingsRepository,
      contexts: ResidentContextCache,
      metrics: PrometheusAlertingMetrics,
      logger: Logger,
      inbox: DurableInbox,
    ) =>
      new AlertingService(
        {
          bus,
          clock,
          alerts,
          engineState,
          contexts,
          metrics,
          logger: logger.child({ component: 'alerting' }),
          settings: (await settings.current()).settings,
          acceptedLog: new InboxEventLog(inbox),
        },
        DEFAULT_ALERTING_OPTIONS,
      ),
  ),
  factory(CarePlanService, [CarePlanRepository, ResidentRepository, ResidentContextCache, CLOCK], (plans: CarePlanRepository, residents: ResidentRepository, contexts: ResidentContextCache, clock: Clock) =>
    new CarePlanService(plans, residents, contexts, clock),
  ),
  factory(RuleSettingsService, [RuleSettingsRepository, AlertingService, CLOCK], (repo: RuleSettingsRepository, alerting: AlertingService, clock: Clock) => new RuleSettingsService(repo, alerting, clock)),
  AlertingLifecycle,
];

@Module({
  controllers: [AlertsController, CarePlansController, RuleSettingsController],
  providers,
  exports: [AlertingService, AlertRepository, CarePlanService],
})
export class AlertingModule {}

