/**
 * The composition root (STYLE.md §5): every adapter and service is built
 * here from the configuration, and nowhere else. Plain classes are provided
 * through factories; only controllers are Nest-decorated.
 */
import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { AccountsModule } from './accounts/accounts.module.js';
import { AlertingModule } from './alerting/alerting.module.js';
import { AuditModule } from './audit/audit.module.js';
import { DispatchModule } from './dispatch/dispatch.module.js';
import { ApiErrorsFilter } from './api/api-errors.filter.js';
import { APP_FILTER, HttpAdapterHost } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import { DevicesController } from './api/devices/devices.controller.js';
import { FleetController } from './api/fleet/fleet.controller.js';
import { GeographyController } from './api/geography/geography.controller.js';
import { HealthController } from './api/health.controller.js';
import { OpenApiController } from './api/openapi.controller.js';
import { ResidentsController } from './api/residents/residents.controller.js';
import { TelemetryController } from './api/telemetry/telemetry.controller.js';
import { ResidentAccess } from './api/resident-access.js';
import { WorkOrderRepository } from './dispatch/work-order.repository.js';
import type { AppConfig } from './config/config.schema.js';
import { DeviceAdminService } from './device-state/device-admin.service.js';
import { ClockSync } from './device-state/clock-sync.js';
import { DeviceDirectoryCache } from './device-state/device-directory.cache.js';
import { PrometheusDeviceStateMetrics } from './device-state/device-state.metrics.js';
import { DeviceStateService } from './device-state/device-state.service.js';
import { DomainEventBus } from './domain/events/event-bus.js';
import { DevicePresence } from './domain/presence/device-presence.js';
import { DurableInbox } from './ingest/durable-inbox.js';
import { IngestService } from './ingest/ingest.service.js';
import { RejectionLog } from './ingest/rejection-log.js';
import { TelemetryForwarder } from './ingest/telemetry-forwarder.js';
import { PrometheusIngestMetrics } from './observability/ingest.metrics.js';
import { createLogger, type Logger } from './observability/logger.js';
import { PlatformRuntime } from './platform.runtime.js';
import { OperatorAlertsModule } from './operator-alerts/operator-alerts.module.js';
import { ProvidersModule } from './providers/providers.module.js';
import { WebModule } from './web/web.module.js';
import { ADMIN_TOKEN, APP_CONFIG, CLOCK, LOGGER, PROM_REGISTRY, READINESS, REGISTRY_DB, SLEEPER, type Clock, type Sleeper } from './platform.tokens.js';
import { openRegistryDatabase, type RegistryDb } from './registry/database.js';
import { seedDemoData } from './registry/demo/seed-demo.js';
import { DeviceStateRepository } from './registry/device-state.repository.js';
import { DeviceRepository } from './registry/device.repository.js';
import { GeographyRepository } from './registry/geography.repository.js';
import { ProvisioningService } from './registry/provisioning.service.js';
import { ResidentRepository } from './registry/resident.repository.js';
import { FleetRepository } from './registry/fleet.repository.js';
import { createTelemetryStore } from './telemetry/telemetry-store.factory.js';
import { TELEMETRY_STORE, type TelemetryStore } from './telemetry/telemetry.store.js';

export interface AppOverrides {
  /** Server clock; tests inject one. */
  readonly now?: Clock;
  readonly logger?: Logger;
  /** Bounded delays (a slowed login); tests inject one that returns at once. */
  readonly sleep?: Sleeper;
}

const factory = <T>(provide: unknown, inject: unknown[], useFactory: (...args: never[]) => T | Promise<T>): Provider =>
  ({ provide, inject, useFactory }) as Provider;

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, overrides: AppOverrides = {}): DynamicModule {
    mkdirSync(config.dataDir, { recursive: true });
    const logger = overrides.logger ?? createLogger(config.logLevel);
    const now = overrides.now ?? Date.now;
    const adminToken = config.adminToken ?? randomBytes(24).toString('base64url');
    if (!config.adminToken) logger.warn({ adminToken }, 'no ANXIN_ADMIN_TOKEN configured: generated one for this run');
    const registry = new Registry();
    const clockSync = new ClockSync(now, logger.child({ component: 'clock-sync' }));
    collectDefaultMetrics({ register: registry, prefix: 'anxin_process_' });

    const providers: Provider[] = [
      { provide: APP_CONFIG, useValue: config },
      { provide: LOGGER, useValue: logger },
      { provide: CLOCK, useValue: now },
      { provide: SLEEPER, useValue: overrides.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))) },
      { provide: PROM_REGISTRY, useValue: registry },
      // Demo data is seeded here, before any module's bootstrap hook reads the registry.
      factory(REGISTRY_DB, [], async () => {
        const db = await openRegistryDatabase({ filename: join(config.dataDir, 'registry.sqlite') });
        if (config.demo.enabled) {
          const seeded = await seedDemoData(db, { demoKey: config.demo.key, residents: config.demo.residents });
          if (seeded.seeded) logger.info({ residents: seeded.residents, devices: seeded.devices }, 'demo dataset seeded (Wuhan, 7 central districts)');
        }
        return db;
      }),
      factory(DeviceRepository, [REGISTRY_DB], (db: RegistryDb) => new DeviceRepository(db)),
      factory(DeviceStateRepository, [REGISTRY_DB], (db: RegistryDb) => new DeviceStateRepository(db)),
      factory(ResidentRepository, [REGISTRY_DB], (db: RegistryDb) => new ResidentRepository(db)),
      factory(GeographyRepository, [REGISTRY_DB], (db: RegistryDb) => new GeographyRepository(db)),
      factory(FleetRepository, [REGISTRY_DB], (db: RegistryDb) => new FleetRepository(db)),
      factory(ProvisioningService, [DeviceRepository, ResidentRepository, GeographyRepository], (devices: DeviceRepository, residents: ResidentRepository, geography: GeographyRepository) =>
        new ProvisioningService({ devices, residents, geography, now }),
      ),
      factory(TELEMETRY_STORE, [], () =>
        createTelemetryStore(config.influx ? { kind: 'influx', ...config.influx } : { kind: 'embedded', path: join(config.dataDir, 'telemetry.sqlite') }),
      ),
      factory(DomainEventBus, [], () => new DomainEventBus((name, error) => logger.error({ event: name, err: String(error) }, 'domain event handler failed'))),
      { provide: DeviceDirectoryCache, useValue: new DeviceDirectoryCache() },
      factory(DeviceStateService, [DeviceDirectoryCache, DomainEventBus, DeviceStateRepository], (directory: DeviceDirectoryCache, bus: DomainEventBus, repo: DeviceStateRepository) =>
        new DeviceStateService(directory, new DevicePresence(), bus, {
          loadDeviceStates: () => repo.loadDeviceStates(),
          saveDeviceStates: async (states, at) => {
            await repo.saveDeviceStates(states.map((s) => ({ ...s, updatedAt: at })));
          },
        }, new PrometheusDeviceStateMetrics(registry)),
      ),
      factory(DeviceAdminService, [ProvisioningService, DeviceRepository, DeviceDirectoryCache], (p: ProvisioningService, d: DeviceRepository, c: DeviceDirectoryCache) => new DeviceAdminService(p, d, c)),
      factory(DurableInbox, [], () =>
        new DurableInbox({ path: join(config.dataDir, 'inbox.sqlite'), maxBacklog: config.ingest.maxBacklog, dedupRetentionMs: config.ingest.dedupRetentionHours * 3_600_000 }),
      ),
      factory(PrometheusIngestMetrics, [DurableInbox], (inbox: DurableInbox) => new PrometheusIngestMetrics(registry, () => inbox.backlog())),
      factory(TelemetryForwarder, [DurableInbox, TELEMETRY_STORE, PrometheusIngestMetrics], (inbox: DurableInbox, store: TelemetryStore, metrics: PrometheusIngestMetrics) =>
        new TelemetryForwarder(inbox, store, metrics, logger.child({ component: 'forwarder' }), now),
      ),
      { provide: RejectionLog, useValue: new RejectionLog() },
      factory(
        IngestService,
        [DeviceDirectoryCache, DurableInbox, TelemetryForwarder, DeviceStateService, DomainEventBus, PrometheusIngestMetrics, RejectionLog],
        (directory: DeviceDirectoryCache, inbox: DurableInbox, forwarder: TelemetryForwarder, states: DeviceStateService, bus: DomainEventBus, metrics: PrometheusIngestMetrics, rejections: RejectionLog) =>
          new IngestService(directory, inbox, () => forwarder.notify(), states, bus, metrics, rejections, {
            maxClockAheadMs: config.ingest.maxClockAheadMs,
            onClockAhead: (deviceId) => clockSync.clockAhead(deviceId),
          }),
      ),
      { provide: ClockSync, useValue: clockSync },
      factory(ResidentAccess, [DeviceRepository, WorkOrderRepository], (devices: DeviceRepository, orders: WorkOrderRepository) => new ResidentAccess(devices, orders)),
      PlatformRuntime,
      { provide: READINESS, useExisting: PlatformRuntime },
      { provide: ADMIN_TOKEN, useValue: adminToken },
    ];

    return {
      module: AppModule,
      // Global: capability modules (alerting, dispatch) inject these providers without re-importing.
      global: true,
      imports: [AlertingModule, AccountsModule, OperatorAlertsModule, ProvidersModule, WebModule, DispatchModule, AuditModule],
      controllers: [HealthController, OpenApiController, DevicesController, TelemetryController, ResidentsController, GeographyController, FleetController],
      providers: [
        ...providers,
        // Not exported: Nest registers APP_FILTER globally by itself.
        factory(APP_FILTER, [HttpAdapterHost], (adapterHost: HttpAdapterHost) => {
          const filter = new ApiErrorsFilter(registry);
          // BaseExceptionFilter needs the HTTP adapter to write its answers.
          (filter as unknown as { httpAdapterHost: HttpAdapterHost }).httpAdapterHost = adapterHost;
          return filter;
        }),
      ],
      exports: providers,
    };
  }
}
