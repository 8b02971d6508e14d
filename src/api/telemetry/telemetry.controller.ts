import { Controller, Get, Inject, Param, Query, UseGuards } from '@nestjs/common';
import { CurrentPrincipal, RequireRole } from '../../accounts/api/access.guard.js';
import { Audited } from '../../audit/audited.decorator.js';
import type { Principal } from '../../domain/access/principal.js';
import { z } from 'zod';
import { TELEMETRY_STORE, type TelemetryStore } from '../../telemetry/telemetry.store.js';
import { AdminGuard } from '../admin.guard.js';
import { ResidentAccess } from '../resident-access.js';
import { documentRoute } from '../openapi.js';
import { ZodValidationPipe } from '../zod-validation.pipe.js';
import { rangeQuerySchema, residentVitalsQuerySchema, residentVitalsSchema, VITAL_FIELDS, windowSeriesSchema, type ResidentVitals } from './telemetry.schemas.js';
import { CLOCK, type Clock } from '../../platform.tokens.js';

const residentParams = z.object({ id: z.string().min(1).max(64) });

documentRoute({ method: 'get', path: '/api/telemetry/range', tag: 'telemetry', admin: true, summary: 'Aggregated windows of one field of a device or a resident', query: rangeQuerySchema, response: windowSeriesSchema });
documentRoute({ method: 'get', path: '/api/residents/:id/vitals', tag: 'telemetry', roles: ['platform_admin', 'provider_dispatcher', 'caregiver'], summary: "A resident's vitals over the last hours (default 24 h in 5-minute means), one series per source device; platform admin, or staff of a provider dispatched to the resident", params: residentParams, query: residentVitalsQuerySchema, response: residentVitalsSchema });

/**
 * Telemetry tied to a resident is personal data: the platform admin, or the
 * staff of a provider that holds (or was offered) a work order for that
 * resident — what a caregiver needs on the console's resident card.
 */
@Controller('api')
export class TelemetryController {
  constructor(
    @Inject(TELEMETRY_STORE) private readonly telemetry: TelemetryStore,
    @Inject(CLOCK) private readonly now: Clock,
    private readonly access: ResidentAccess,
  ) {}

  @Get('telemetry/range')
  @UseGuards(AdminGuard)
  @Audited('telemetry.range.read', ({ query }) => {
    const residentId = typeof query.residentId === 'string' ? query.residentId : null;
    const deviceId = typeof query.deviceId === 'string' ? query.deviceId : undefined;
    return {
      targetKind: residentId !== null ? 'resident' : 'device',
      targetId: residentId ?? deviceId ?? null,
      residentId,
      ...(deviceId !== undefined ? { deviceId } : {}),
      detail: { measurement: String(query.measurement), field: String(query.field), from: Number(query.from), to: Number(query.to) },
    };
  })
  async range(@Query(new ZodValidationPipe(rangeQuerySchema, 'query')) q: z.infer<typeof rangeQuerySchema>) {
    const { deviceId, residentId, ...rest } = q;
    return { items: await this.telemetry.range({ ...rest, ...(deviceId ? { deviceId } : {}), ...(residentId ? { residentId } : {}) }) };
  }

  @Get('residents/:id/vitals')
  @RequireRole('platform_admin', 'provider_dispatcher', 'caregiver')
  @Audited<{ from: number; to: number }>('resident.vitals.read', ({ params }, r) => ({ targetKind: 'resident', targetId: params.id ?? null, residentId: params.id ?? null, detail: { from: r.from, to: r.to } }))
  async residentVitals(
    @Param(new ZodValidationPipe(residentParams, 'params')) { id }: { id: string },
    @Query(new ZodValidationPipe(residentVitalsQuerySchema, 'query')) q: z.infer<typeof residentVitalsQuerySchema>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ResidentVitals> {
    await this.access.assertResident(principal, id, null, 'health_and_location');
    const to = this.now();
    const from = to - q.hours * 3_600_000;
    const series = Object.fromEntries(
      await Promise.all(
        VITAL_FIELDS.map(async (field) => [field, await this.telemetry.rangeBySource({ measurement: 'vitals', field, residentId: id, from, to, windowMs: q.windowMs, aggregate: 'mean' })] as const),
      ),
    ) as ResidentVitals['series'];
    return { residentId: id, from, to, windowMs: q.windowMs, series };
  }
}
