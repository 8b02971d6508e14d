import { Controller, Get, Query } from '@nestjs/common';
import type { z } from 'zod';
import { RequireRole } from '../../accounts/api/access.guard.js';
import { documentRoute } from '../../api/openapi.js';
import { ZodValidationPipe } from '../../api/zod-validation.pipe.js';
import type { Page } from '../../registry/paging.js';
import { withoutUndefined } from '../../util/without-undefined.js';
import { OperatorAlertRepository, type StoredOperatorAlert } from '../operator-alert.repository.js';
import { operatorAlertPageSchema, operatorAlertQuerySchema } from './operator-alerts.schemas.js';

documentRoute({
    method: 'get',
    path: '/api/operator-alerts',
    tag: 'operator-alerts',
    roles: ['platform_admin'],
    summary: 'Platform-safety alerts for the operator (session takeovers, sustained login attacks), newest first',
    query: operatorAlertQuerySchema,
    response: operatorAlertPageSchema,
});

@Controller('api/operator-alerts')
@RequireRole('platform_admin')
export class OperatorAlertsController {
  constructor(private readonly alerts: OperatorAlertRepository) {}

  @Get()
  async list(@Query(new ZodValidationPipe(operatorAlertQuerySchema, 'query')) query: z.infer<typeof operatorAlertQuerySchema>): Promise<Page<StoredOperatorAlert>> {
    return this.alerts.list(withoutUndefined(query));
  }
}
