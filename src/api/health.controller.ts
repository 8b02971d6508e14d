import { Controller, Get, Header, HttpCode, Inject, Res, UseGuards } from '@nestjs/common';
import { MetricsGuard } from './metrics.guard.js';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import { PROM_REGISTRY, READINESS, type Readiness } from '../platform.tokens.js';
import { documentRoute } from './openapi.js';

const readinessSchema = z.object({ status: z.enum(['ready', 'not_ready']), checks: z.record(z.string(), z.boolean()) });

documentRoute({ method: 'get', path: '/healthz', tag: 'operations', public: true, summary: 'Liveness: the process is up and its event loop answers', response: z.object({ status: z.literal('ok') }) });
documentRoute({ method: 'get', path: '/readyz', tag: 'operations', public: true, summary: 'Readiness: registry, telemetry store and broker all answer (503 with the same body names what does not)', response: readinessSchema });
documentRoute({ method: 'get', path: '/metrics', tag: 'operations', metrics: true, summary: 'Prometheus metrics (text exposition format 0.0.4, not JSON); the metrics token, the admin token or a platform admin' });

/** Liveness, readiness and Prometheus metrics: the operator's three URLs. */
@Controller()
export class HealthController {
  constructor(
    @Inject(READINESS) private readonly readiness: Readiness,
    @Inject(PROM_REGISTRY) private readonly registry: Registry,
  ) {}

  /** The process is up and its event loop answers. */
  @Get('healthz')
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Ready to take traffic: registry, telemetry store and broker all answer. 503 names what does not. */
  @Get('readyz')
  async readyz(@Res({ passthrough: true }) res: { status(code: number): void }): Promise<z.infer<typeof readinessSchema>> {
    const checks = await this.readiness.check();
    const ready = Object.values(checks).every(Boolean);
    if (!ready) res.status(503);
    return { status: ready ? 'ready' : 'not_ready', checks };
  }

  @Get('metrics')
  @UseGuards(MetricsGuard)
  @HttpCode(200)
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
