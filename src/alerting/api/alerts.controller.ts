import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import type { z } from 'zod';
import { AdminGuard } from '../../api/admin.guard.js';
import { Audited } from '../../audit/audited.decorator.js';
import { documentRoute } from '../../api/openapi.js';
import { ZodValidationPipe } from '../../api/zod-validation.pipe.js';
import { AlertCommandError } from '../../domain/alerts/alert-book.js';
import { withoutUndefined } from '../../util/without-undefined.js';
import { AlertRepository } from '../alert.repository.js';
import { AlertingService } from '../alerting.service.js';
import {
  alertDetailSchema,
  alertPageSchema,
  clearAlertBodySchema,
  idParamsSchema,
  listAlertsQuerySchema,
  type ListAlertsQuery,
} from './alerting.schemas.js';
import { mapErrors } from './http-errors.js';
import { Actor } from './actor.decorator.js';
import { alertSchema, type Alert } from '../../domain/alerts/alert.schema.js';

const routes = {
  list: documentRoute({ method: 'get', path: '/api/alerts', tag: 'alerts', admin: true, summary: 'Alerts, newest first, filtered by resident, state, kind and firstRaisedAt range', query: listAlertsQuerySchema, response: alertPageSchema }),
  get: documentRoute({ method: 'get', path: '/api/alerts/:id', tag: 'alerts', admin: true, summary: 'One alert with its evidence and change history', params: idParamsSchema, response: alertDetailSchema }),
  acknowledge: documentRoute({ method: 'post', path: '/api/alerts/:id/acknowledge', tag: 'alerts', admin: true, summary: 'A person takes the alert (idempotent)', params: idParamsSchema, response: alertSchema }),
  clear: documentRoute({ method: 'post', path: '/api/alerts/:id/clear', tag: 'alerts', admin: true, summary: 'A person clears the alert (the only way fall, SOS, smoke and gas alerts end)', params: idParamsSchema, body: clearAlertBodySchema, response: alertSchema }),
};

const params = new ZodValidationPipe(idParamsSchema, 'params');

@Controller('api/alerts')
@UseGuards(AdminGuard)
export class AlertsController {
  constructor(
    private readonly alerting: AlertingService,
    private readonly alerts: AlertRepository,
  ) {}

  @Get()
  // One entry per page: the residents are in the alerts, the page size in the detail.
  @Audited<z.infer<typeof alertPageSchema>>('alert.read', ({ query }, page) => ({
    targetKind: 'alert',
    targetId: null,
    residentId: typeof query.residentId === 'string' ? query.residentId : null,
    detail: { alerts: page.items.length },
  }))
  async list(@Query(new ZodValidationPipe(routes.list.query!, 'query')) query: ListAlertsQuery): Promise<z.infer<typeof alertPageSchema>> {
    return { items: await this.alerts.list(withoutUndefined(query)) };
  }

  @Get(':id')
  // The admin reads an alert to handle it: the alert is the purpose.
  @Audited<z.infer<typeof alertDetailSchema>>('alert.read', (_req, a) => ({ targetKind: 'alert', targetId: a.id, residentId: a.residentId, purpose: a.id }))
  async get(@Param(params) { id }: { id: string }): Promise<z.infer<typeof alertDetailSchema>> {
    return mapErrors(async () => {
      const stored = await this.alerts.get(id);
      if (!stored) throw new AlertCommandError('not_found', id);
      return { ...stored.alert, version: stored.version, history: await this.alerts.history(id) };
    });
  }

  @Post(':id/acknowledge')
  @HttpCode(200)
  // The trail names the authenticated operator; the x-anxin-actor header is only the alert history's word.
  @Audited<Alert>('alert.acknowledge', (_req, a) => ({ targetKind: 'alert', targetId: a.id, residentId: a.residentId, detail: { kind: a.kind } }))
  async acknowledge(@Param(params) { id }: { id: string }, @Actor() who: string) {
    return mapErrors(() => this.alerting.acknowledge(id, who));
  }

  @Post(':id/clear')
  @HttpCode(200)
  @Audited<Alert>('alert.clear', (_req, a) => ({ targetKind: 'alert', targetId: a.id, residentId: a.residentId, detail: { kind: a.kind } }))
  async clear(
    @Param(params) { id }: { id: string },
    @Body(new ZodValidationPipe(clearAlertBodySchema, 'body')) body: z.infer<typeof clearAlertBodySchema>,
    @Actor() who: string,
  ) {
    return mapErrors(() => this.alerting.clear(id, who, body.note));
  }
}
