import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { DEVICE_TYPES } from '../../../devices/device-type.js';
import { Audited } from '../../audit/audited.decorator.js';
import { FleetRepository } from '../../registry/fleet.repository.js';
import { AdminGuard } from '../admin.guard.js';
import { documentRoute } from '../openapi.js';
import { ZodValidationPipe } from '../zod-validation.pipe.js';

const manifestQuerySchema = z.object({ homes: z.coerce.number().int().min(1).max(20_000).default(20) });
const manifestSchema = z.object({
  homes: z.array(z.object({ homeId: z.string(), residentId: z.string(), lat: z.number(), lon: z.number(), devices: z.array(z.object({ deviceId: z.string(), type: z.enum(DEVICE_TYPES) })) })),
});

documentRoute({ method: 'get', path: '/api/fleet/manifest', tag: 'simulation', admin: true, summary: 'Homes with their devices, as the simulator (firmware-sim) reads them', query: manifestQuerySchema, response: manifestSchema });

@Controller('api/fleet')
@UseGuards(AdminGuard)
export class FleetController {
  constructor(private readonly fleet: FleetRepository) {}

  @Get('manifest')
  @Audited<{ homes: readonly unknown[] }>('fleet.manifest.read', (_req, r) => ({ targetKind: 'fleet', targetId: null, detail: { homes: r.homes.length } }))
  async manifest(@Query(new ZodValidationPipe(manifestQuerySchema, 'query')) q: z.infer<typeof manifestQuerySchema>) {
    return { homes: await this.fleet.listHomes(q.homes) };
  }
}
