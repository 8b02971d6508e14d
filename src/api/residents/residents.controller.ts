import { Controller, Get, NotFoundException, Param, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { Audited } from '../../audit/audited.decorator.js';
import { ResidentRepository } from '../../registry/resident.repository.js';
import { AdminGuard } from '../admin.guard.js';
import { documentRoute } from '../openapi.js';
import { withoutUndefined } from '../../util/without-undefined.js';
import { ZodValidationPipe } from '../zod-validation.pipe.js';

const listQuerySchema = z.object({
  districtCode: z.string().min(1).max(32).optional(),
  streetCode: z.string().min(1).max(32).optional(),
  communityCode: z.string().min(1).max(32).optional(),
  cursor: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});
const idParams = z.object({ id: z.string().min(1).max(64) });
const detailQuery = z.object({ unmasked: z.enum(['true', 'false']).default('false') });

documentRoute({ method: 'get', path: '/api/residents', tag: 'residents', admin: true, summary: 'Residents, personal data masked (张*华, 138****5678)', query: listQuerySchema });
documentRoute({ method: 'get', path: '/api/residents/:id', tag: 'residents', admin: true, summary: 'One resident; masked unless ?unmasked=true', params: idParams, query: detailQuery });

/** Personal data: admin only, masked by default (PIPL: minimum necessary). */
@Controller('api/residents')
@UseGuards(AdminGuard)
export class ResidentsController {
  constructor(private readonly residents: ResidentRepository) {}

  @Get()
  async list(@Query(new ZodValidationPipe(listQuerySchema, 'query')) q: z.infer<typeof listQuerySchema>) {
    const page = await this.residents.list(withoutUndefined(q));
    return { items: page.items, nextCursor: page.nextCursor ?? null };
  }

  @Get(':id')
  // Only the unmasked record reveals personal data; the masked one is what the list shows anyway.
  @Audited('resident.record.read', ({ params, query }) => (query.unmasked === 'true' ? { targetKind: 'resident', targetId: params.id ?? null, residentId: params.id ?? null } : null))
  async get(@Param(new ZodValidationPipe(idParams, 'params')) { id }: { id: string }, @Query(new ZodValidationPipe(detailQuery, 'query')) q: z.infer<typeof detailQuery>) {
    const resident = await this.residents.getById(id, { unmasked: q.unmasked === 'true' });
    if (!resident) throw new NotFoundException({ error: `resident "${id}" not found` });
    return resident;
  }
}
