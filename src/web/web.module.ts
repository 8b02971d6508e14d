/**
 * The web front ends (apps/) served by the backend on the same origin as the
 * REST API and socket.io: /console (provider dispatch console) and /screen
 * (district 大屏). Static files are mounted on the underlying express
 * instance, so they never reach the API error filter; the security headers
 * are module middleware, ahead of both.
 */
import { Inject, Injectable, Module, type MiddlewareConsumer, type NestModule, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { join } from 'node:path';
import { DeviceStateService } from '../device-state/device-state.service.js';
import type { Logger } from '../observability/logger.js';
import { CLOCK, LOGGER, type Clock } from '../platform.tokens.js';
import { FleetRepository } from '../registry/fleet.repository.js';
import { ResidentRepository } from '../registry/resident.repository.js';
import { ScreenSummaryController } from './screen-summary.controller.js';
import { ScreenSummaryService } from './screen-summary.service.js';
import { securityHeaders } from './security-headers.js';
import { createStaticHandler, findAppsRoot, WEB_APPS } from './static-apps.js';

interface ExpressLike {
  use(path: string, handler: ReturnType<typeof createStaticHandler>): void;
  disable(setting: string): void;
}

@Injectable()
export class WebAppsMount implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    const instance = this.adapterHost.httpAdapter?.getInstance<ExpressLike>();
    if (instance && typeof instance.disable === 'function') instance.disable('x-powered-by');
    const root = findAppsRoot();
    if (!instance || typeof instance.use !== 'function' || root === undefined) {
      this.logger.warn({ root }, 'web apps not mounted (no express instance or no apps/ folder)');
      return;
    }
    for (const app of WEB_APPS) {
      instance.use(app.mount, createStaticHandler(join(root, app.folder, 'dist')));
    }
  }
}

@Module({
  controllers: [ScreenSummaryController],
  providers: [
    WebAppsMount,
    {
      provide: ScreenSummaryService,
      inject: [ResidentRepository, FleetRepository, DeviceStateService, CLOCK],
      useFactory: (residents: ResidentRepository, fleet: FleetRepository, states: DeviceStateService, clock: Clock) => new ScreenSummaryService(residents, fleet, states, clock),
    },
  ],
})
export class WebModule implements NestModule {
  // Nest installs module middleware before any route and before the apps
  // mounted at init, so every answer (API, apps, 404) carries the headers.
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(securityHeaders()).forRoutes('*');
  }
}
