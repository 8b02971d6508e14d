import { Controller, Get, Query } from '@nestjs/common';
import { z } from 'zod';
import { GeographyRepository } from '../../registry/geography.repository.js';
import { documentRoute } from '../openapi.js';
import { ZodValidationPipe } from '../zod-validation.pipe.js';

const streetsQuerySchema = z.object({ districtCode: z.string().min(1).max(32).optional() });
const districtsSchema = z.object({ items: z.array(z.object({ code: z.string(), name: z.string(), adcode: z.string() })) });
const streetsSchema = z.object({ items: z.array(z.object({ code: z.string(), districtCode: z.string(), name: z.string(), lat: z.number(), lon: z.number() })) });

documentRoute({ method: 'get', path: '/api/geography/districts', tag: 'geography', public: true, summary: 'Districts (区)', response: districtsSchema });
documentRoute({ method: 'get', path: '/api/geography/streets', tag: 'geography', public: true, summary: 'Streets (街道) with coordinates, optionally of one district', query: streetsQuerySchema, response: streetsSchema });

/** Public geography: no personal data. */
@Controller('api/geography')
export class GeographyController {
  constructor(private readonly geography: GeographyRepository) {}

  @Get('districts')
  async districts() {
    return { items: await this.geography.listDistricts() };
  }

  @Get('streets')
  async streets(@Query(new ZodValidationPipe(streetsQuerySchema, 'query')) q: z.infer<typeof streetsQuerySchema>) {
    return { items: await this.geography.listStreets(q.districtCode) };
  }
}
