/**
 * REST for mobile clients: the console's commands on work orders, scoped
 * listings and district KPIs. Thin (STYLE.md §4): parse with zod, call one
 * DispatchService method, map its errors to HTTP.
 *
 * @example
 * POST /api/orders/ord-42/accept   { "attempt": 1 }              → 200 { order: { state: 'accepted', … } }
 * POST /api/orders/ord-42/resolve  { "outcome": "false_alarm", "notes": "老人已自行起身" }
 * GET  /api/orders?state=offered                                   → { items: [...] } (your provider / district only)
 * GET  /api/kpis?districtCode=420103                               → { district: { effectiveResponseRate: 0.95, … }, streets: [...] }
 */
import { BadRequestException, Body, ConflictException, Controller, ForbiddenException, Get, HttpCode, NotFoundException, Param, Post, Query, UnauthorizedException } from '@nestjs/common';
import type { z } from 'zod';
import { CurrentPrincipal, RequireRole } from '../../accounts/api/access.guard.js';
import { Audited } from '../../audit/audited.decorator.js';
import { documentRoute } from '../../api/openapi.js';
import { ZodValidationPipe } from '../../api/zod-validation.pipe.js';
import { residentCardSchema, type ResidentCard } from '../../contracts/dispatch.contracts.js';
import type { Principal, Role } from '../../domain/access/principal.js';
import { districtKpisSchema, type DistrictKpis } from '../../domain/dispatch/kpi.schema.js';
import { workOrderSnapshotSchema, type WorkOrderSnapshot } from '../../domain/dispatch/work-order.schema.js';
import { DispatchError, DispatchService, type OrderCommand } from '../dispatch.service.js';
import {
  acceptBodySchema,
  declineBodySchema,
  kpisQuerySchema,
  listOrdersQuerySchema,
  orderCommandResultSchema,
  orderIdParamsSchema,
  orderListSchema,
  resolveBodySchema,
} from './orders.schemas.js';

// One list per audience, used by both the @RequireRole decorators below and the document.
const anyStaff: readonly Role[] = ['district_officer', 'provider_dispatcher', 'caregiver'];
const providerStaff: readonly Role[] = ['provider_dispatcher', 'caregiver'];
const kpiReaders: readonly Role[] = ['district_officer'];
const command = (path: string, summary: string, roles: readonly Role[], body?: z.ZodType): void => {
  documentRoute({ method: 'post', path: `/api/orders/:id/${path}`, tag: 'orders', roles, summary, params: orderIdParamsSchema, ...(body ? { body } : {}), response: orderCommandResultSchema });
};

documentRoute({ method: 'get', path: '/api/orders', tag: 'orders', roles: anyStaff, summary: 'Work orders in your scope (your provider, or your district), newest first, filtered by state, provider or district', query: listOrdersQuerySchema, response: orderListSchema });
documentRoute({ method: 'get', path: '/api/orders/:id', tag: 'orders', roles: anyStaff, summary: 'One work order with its candidates, attempts, deadlines and transitions', params: orderIdParamsSchema, response: workOrderSnapshotSchema });
documentRoute({ method: 'get', path: '/api/orders/:id/resident', tag: 'orders', roles: providerStaff, summary: 'The unmasked resident card, for the staff who accepted the order (403 for everyone else)', params: orderIdParamsSchema, response: residentCardSchema });
command('accept', 'Accept the current offer (the attempt number guards against accepting a stale offer; 409 if it moved on)', providerStaff, acceptBodySchema);
command('decline', 'Decline the current offer with a reason; the order moves to the next candidate', providerStaff, declineBodySchema);
command('en-route', '出发: the caregiver is on the way', providerStaff);
command('on-site', '到达: the caregiver is at the home (on-site SLA met or missed)', providerStaff);
command('resolve', '结案: close the order with an outcome and notes', anyStaff, resolveBodySchema);
documentRoute({ method: 'get', path: '/api/kpis', tag: 'kpis', roles: kpiReaders, summary: '有效应答率, accept and on-site p50/p90, false-alarm share, open orders and coverage gaps of a district, per street', query: kpisQuerySchema, response: districtKpisSchema });

const idParams = new ZodValidationPipe(orderIdParamsSchema, 'params');

function toHttp(error: unknown): unknown {
  if (!(error instanceof DispatchError)) return error;
  switch (error.code) {
    case 'not_found':
      return new NotFoundException({ error: error.message });
    case 'forbidden':
    case 'wrong_provider':
    case 'not_your_order':
      return new ForbiddenException({ error: error.message, code: error.code });
    case 'unauthorized':
      return new UnauthorizedException({ error: error.message });
    case 'invalid_payload':
      return new BadRequestException({ error: error.message });
    case 'illegal_transition':
    case 'stale_attempt':
    case 'not_accepted':
    case 'no_alert':
    case 'already_cleared':
      return new ConflictException({ error: error.message, code: error.code });
  }
}

async function mapped<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toHttp(error);
  }
}

@Controller('api/orders')
@RequireRole(...anyStaff)
export class OrdersController {
  constructor(private readonly dispatch: DispatchService) {}

  @Get()
  list(@Query(new ZodValidationPipe(listOrdersQuerySchema, 'query')) q: z.infer<typeof listOrdersQuerySchema>, @CurrentPrincipal() principal: Principal): Promise<z.infer<typeof orderListSchema>> {
    return mapped(async () => ({
      items: await this.dispatch.listOrders(principal, {
        limit: q.limit,
        ...(q.state !== undefined ? { state: q.state } : {}),
        ...(q.provider !== undefined ? { providerId: q.provider } : {}),
        ...(q.district !== undefined ? { districtCode: q.district } : {}),
      }),
    }));
  }

  @Get(':id')
  get(@Param(idParams) { id }: { id: string }, @CurrentPrincipal() principal: Principal): Promise<WorkOrderSnapshot> {
    return mapped(() => this.dispatch.getOrder(principal, id));
  }

  /** The unmasked resident card, for the staff who accepted the order (403 for everyone else). */
  @Get(':id/resident')
  @RequireRole(...providerStaff)
  @Audited<ResidentCard>('resident.card.read', ({ params }, card) => ({ targetKind: 'order', targetId: params.id ?? null, residentId: card.residentId, purpose: params.id ?? null }))
  resident(@Param(idParams) { id }: { id: string }, @CurrentPrincipal() principal: Principal): Promise<ResidentCard> {
    return mapped(() => this.dispatch.residentCard(principal, id));
  }

  @Post(':id/accept')
  @HttpCode(200)
  @RequireRole(...providerStaff)
  accept(@Param(idParams) { id }: { id: string }, @Body(new ZodValidationPipe(acceptBodySchema, 'body')) b: z.infer<typeof acceptBodySchema>, @CurrentPrincipal() p: Principal) {
    return this.run(p, id, { type: 'accept', attempt: b.attempt });
  }

  @Post(':id/decline')
  @HttpCode(200)
  @RequireRole(...providerStaff)
  decline(@Param(idParams) { id }: { id: string }, @Body(new ZodValidationPipe(declineBodySchema, 'body')) b: z.infer<typeof declineBodySchema>, @CurrentPrincipal() p: Principal) {
    return this.run(p, id, { type: 'decline', attempt: b.attempt, reason: b.reason });
  }

  @Post(':id/en-route')
  @HttpCode(200)
  @RequireRole(...providerStaff)
  enRoute(@Param(idParams) { id }: { id: string }, @CurrentPrincipal() p: Principal) {
    return this.run(p, id, { type: 'en_route' });
  }

  @Post(':id/on-site')
  @HttpCode(200)
  @RequireRole(...providerStaff)
  onSite(@Param(idParams) { id }: { id: string }, @CurrentPrincipal() p: Principal) {
    return this.run(p, id, { type: 'on_site' });
  }

  @Post(':id/resolve')
  @HttpCode(200)
  resolve(@Param(idParams) { id }: { id: string }, @Body(new ZodValidationPipe(resolveBodySchema, 'body')) b: z.infer<typeof resolveBodySchema>, @CurrentPrincipal() p: Principal) {
    return this.run(p, id, { type: 'resolve', outcome: b.outcome, notes: b.notes });
  }

  private run(principal: Principal, id: string, cmd: OrderCommand): Promise<z.infer<typeof orderCommandResultSchema>> {
    return mapped(async () => ({ order: await this.dispatch.command(principal, id, cmd) }));
  }
}

@Controller('api/kpis')
@RequireRole(...kpiReaders)
export class KpisController {
  constructor(private readonly dispatch: DispatchService) {}

  /** 有效应答率, accept/on-site p50/p90, false-alarm share, open orders, coverage gaps, per street. */
  @Get()
  get(@Query(new ZodValidationPipe(kpisQuerySchema, 'query')) q: z.infer<typeof kpisQuerySchema>, @CurrentPrincipal() principal: Principal): Promise<DistrictKpis> {
    return mapped(() => this.dispatch.kpis(principal, q.districtCode));
  }
}
