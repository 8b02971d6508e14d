/**
 * The web front ends (apps/) served by the backend on the same origin as the
 * REST API and socket.io: /console (provider dispatch console) and /screen
 * (district 大屏). Static files are mounted on the underlying express
 * instance before Nest's routes, so they never reach the API error filter.
 */
import { Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { join } from 'node:path';
import { DeviceStateService } from '../device-state/device-state.service.js';
import type { Logger } from '../observability/logger.js';
import { CLOCK, LOGGER, type Clock } from '../platform.tokens.js';
import { FleetRepository } from '../registry/fleet.repository.js';
import { ResidentRepository } from '../registry/resident.repository.js';
import { ScreenSummaryController } from './screen-summary.controller.js';
import { ScreenSummaryService } from './screen-summary.service.js';
import { createStaticHandler, findAppsRoot, WEB_APPS } from './static-apps.js';

interface ExpressLike {
  use(path: string, handler: ReturnType<typeof createStaticHandler>): void;
}

@Injectable()
export class WebAppsMount implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    const instance = this.adapterHost.httpAdapter?.getInstance<ExpressLike>();
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
export class WebModule {}
