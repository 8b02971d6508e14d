import { Body, Controller, Get, Param, Patch, Post, UseGuards } from '@nestjs/common';
import type { z } from 'zod';
import { AdminGuard } from '../../api/admin.guard.js';
import { Audited } from '../../audit/audited.decorator.js';
import { documentRoute } from '../../api/openapi.js';
import { ZodValidationPipe } from '../../api/zod-validation.pipe.js';
import { carePlanSchema } from '../../domain/care-plans/care-plan.schema.js';
import { withoutUndefined } from '../../util/without-undefined.js';
import { CarePlanService } from '../care-plan.service.js';
import {
  carePlanBodySchema,
  carePlanChangeResponseSchema,
  carePlanHistorySchema,
  idParamsSchema,
  snoozeBodySchema,
} from './alerting.schemas.js';
import { mapErrors } from './http-errors.js';
import { Actor } from './actor.decorator.js';

documentRoute({ method: 'get', path: '/api/residents/:id/care-plan', tag: 'care-plans', admin: true, summary: "The resident's care plan (version 0: defaults only)", params: idParamsSchema, response: carePlanSchema });
documentRoute({ method: 'patch', path: '/api/residents/:id/care-plan', tag: 'care-plans', admin: true, summary: 'Change the care plan: a field set to null removes the override; versioned and audited', params: idParamsSchema, body: carePlanBodySchema, response: carePlanChangeResponseSchema });
documentRoute({ method: 'get', path: '/api/residents/:id/care-plan/history', tag: 'care-plans', admin: true, summary: 'Every change of the care plan: who, when, what', params: idParamsSchema, response: carePlanHistorySchema });
documentRoute({ method: 'post', path: '/api/residents/:id/snoozes', tag: 'care-plans', admin: true, status: 201, summary: 'Snooze alert kinds until an expiry (recorded with who set it); fall, SOS, smoke, gas and water leak are never snoozed (400 life_safety_not_snoozable)', params: idParamsSchema, body: snoozeBodySchema, response: carePlanChangeResponseSchema });

const params = new ZodValidationPipe(idParamsSchema, 'params');

type CarePlanChange = z.infer<typeof carePlanChangeResponseSchema>;
const residentSubject = (id: string | undefined) => ({ targetKind: 'resident', targetId: id ?? null, residentId: id ?? null }) as const;
const carePlanSubject = (id: string | undefined, r: CarePlanChange) => ({ ...residentSubject(id), detail: { fromVersion: r.audit.fromVersion, toVersion: r.audit.toVersion } });

@Controller('api/residents')
@UseGuards(AdminGuard)
export class CarePlansController {
  constructor(private readonly carePlans: CarePlanService) {}

  @Get(':id/care-plan')
  @Audited('care_plan.read', ({ params }) => residentSubject(params.id))
  async get(@Param(params) { id }: { id: string }) {
    return mapErrors(() => this.carePlans.get(id));
  }

  @Patch(':id/care-plan')
  @Audited<CarePlanChange>('care_plan.change', ({ params }, r) => carePlanSubject(params.id, r))
  async change(
    @Param(params) { id }: { id: string },
    @Body(new ZodValidationPipe(carePlanBodySchema, 'body')) body: z.infer<typeof carePlanBodySchema>,
    @Actor() who: string,
  ) {
    return mapErrors(() => this.carePlans.change(id, withoutUndefined(body), who));
  }

  @Get(':id/care-plan/history')
  @Audited('care_plan.read', ({ params }) => ({ ...residentSubject(params.id), detail: { history: true } }))
  async history(@Param(params) { id }: { id: string }) {
    return mapErrors(async () => ({ residentId: id, items: await this.carePlans.history(id) }));
  }

  @Post(':id/snoozes')
  @Audited<CarePlanChange>('care_plan.snooze', ({ params }, r) => carePlanSubject(params.id, r))
  async snooze(
    @Param(params) { id }: { id: string },
    @Body(new ZodValidationPipe(snoozeBodySchema, 'body')) body: z.infer<typeof snoozeBodySchema>,
    @Actor() who: string,
  ) {
    return mapErrors(() => this.carePlans.snooze(id, body, who));
  }
}
