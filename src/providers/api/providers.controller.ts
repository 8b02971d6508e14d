import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import type { z } from 'zod';
import { CurrentPrincipal, RequireRole } from '../../accounts/api/access.guard.js';
import { mapErrors } from '../../accounts/api/http-errors.js';
import { Audited } from '../../audit/audited.decorator.js';
import { documentRoute } from '../../api/openapi.js';
import { ZodValidationPipe } from '../../api/zod-validation.pipe.js';
import type { Principal } from '../../domain/access/principal.js';
import type { Provider, Staff } from '../../domain/dispatch/provider.schema.js';
import { staffSchema } from '../../domain/dispatch/provider.schema.js';
import { CLOCK, type Clock } from '../../platform.tokens.js';
import { withoutUndefined } from '../../util/without-undefined.js';
import { ProviderService, type ProviderDetail } from '../provider.service.js';
import { dutyBodySchema, idParamsSchema, listProvidersQuerySchema, locationBodySchema, providerDetailSchema, providerListSchema } from './providers.schemas.js';

const routes = {
  list: documentRoute({ method: 'get', path: '/api/providers', tag: 'providers', roles: ['district_officer', 'provider_dispatcher', 'caregiver'], summary: 'Providers in your scope (all, your district, or your own provider)', query: listProvidersQuerySchema, response: providerListSchema }),
  get: documentRoute({ method: 'get', path: '/api/providers/:id', tag: 'providers', roles: ['district_officer', 'provider_dispatcher', 'caregiver'], summary: 'One provider with its staff, duty status and last locations', params: idParamsSchema, response: providerDetailSchema }),
  duty: documentRoute({ method: 'patch', path: '/api/staff/:id/duty', tag: 'providers', roles: ['provider_dispatcher', 'caregiver'], summary: "Go on or off duty (the caregiver themself or their provider's dispatcher)", params: idParamsSchema, body: dutyBodySchema, response: staffSchema }),
  location: documentRoute({ method: 'post', path: '/api/staff/:id/location', tag: 'providers', roles: ['provider_dispatcher', 'caregiver'], summary: "Report a staff member's position (the caregiver themself or their provider's dispatcher)", params: idParamsSchema, body: locationBodySchema, response: staffSchema }),
};

const idParams = new ZodValidationPipe(idParamsSchema, 'params');

@Controller('api/providers')
@RequireRole('district_officer', 'provider_dispatcher', 'caregiver')
export class ProvidersController {
  constructor(
    private readonly providers: ProviderService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  async list(@Query(new ZodValidationPipe(routes.list.query!, 'query')) query: z.infer<typeof listProvidersQuerySchema>, @CurrentPrincipal() principal: Principal): Promise<{ items: Provider[] }> {
    return { items: await mapErrors(this.clock, () => this.providers.list(principal, withoutUndefined(query))) };
  }

  @Get(':id')
  // The detail carries every staff member's last position: personal data of the staff.
  @Audited<ProviderDetail>('staff.location.read', (_req, p) => ({ targetKind: 'provider', targetId: p.id, providerId: p.id, districtCode: p.districtCode }))
  async get(@Param(idParams) { id }: { id: string }, @CurrentPrincipal() principal: Principal): Promise<ProviderDetail> {
    return mapErrors(this.clock, () => this.providers.get(principal, id));
  }
}

@Controller('api/staff')
@RequireRole('provider_dispatcher', 'caregiver')
export class StaffController {
  constructor(
    private readonly providers: ProviderService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Patch(':id/duty')
  @Audited<Staff>('staff.duty.change', (_req, s) => ({ targetKind: 'staff', targetId: s.id, providerId: s.providerId, detail: { onDuty: s.onDuty } }))
  async duty(@Param(idParams) { id }: { id: string }, @Body(new ZodValidationPipe(dutyBodySchema, 'body')) body: z.infer<typeof dutyBodySchema>, @CurrentPrincipal() principal: Principal): Promise<Staff> {
    return mapErrors(this.clock, () => this.providers.setOnDuty(principal, id, body.onDuty));
  }

  @Post(':id/location')
  @HttpCode(200)
  async location(@Param(idParams) { id }: { id: string }, @Body(new ZodValidationPipe(locationBodySchema, 'body')) body: z.infer<typeof locationBodySchema>, @CurrentPrincipal() principal: Principal): Promise<Staff> {
    return mapErrors(this.clock, () => this.providers.reportLocation(principal, id, body));
  }
}
