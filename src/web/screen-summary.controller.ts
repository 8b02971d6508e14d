import { Controller, ForbiddenException, Get, Inject, Query } from '@nestjs/common';
import { z } from 'zod';
import { CurrentPrincipal, RequireRole } from '../accounts/api/access.guard.js';
import { documentRoute } from '../api/openapi.js';
import { ZodValidationPipe } from '../api/zod-validation.pipe.js';
import type { Principal } from '../domain/access/principal.js';
import { ProviderService } from '../providers/provider.service.js';
import { ScreenSummaryService, screenSummarySchema, type ScreenSummary } from './screen-summary.service.js';

const querySchema = z.object({ districtCode: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/).optional() });

documentRoute({
  method: 'get',
  path: '/api/screen/summary',
  tag: 'screen',
  roles: ['district_officer'],
  summary: "District screen (大屏) counters: residents covered, devices online, 15-minute coverage per street and service (the officer's own district; a platform admin names one)",
  query: querySchema,
  response: screenSummarySchema,
});

@Controller('api/screen')
@RequireRole('district_officer')
export class ScreenSummaryController {
  constructor(
    @Inject(ScreenSummaryService) private readonly summaries: ScreenSummaryService,
    private readonly providers: ProviderService,
  ) {}

  @Get('summary')
  async summary(@Query(new ZodValidationPipe(querySchema, 'query')) q: z.infer<typeof querySchema>, @CurrentPrincipal() principal: Principal): Promise<ScreenSummary> {
    const districtCode = principal.role === 'platform_admin' ? q.districtCode : principal.scope.districtCode;
    if (districtCode === undefined || districtCode === null) throw new ForbiddenException({ error: 'districtCode required' });
    if (q.districtCode !== undefined && q.districtCode !== districtCode) throw new ForbiddenException({ error: 'outside your district' });
    return this.summaries.summarize(districtCode, await this.providers.list(principal, { districtCode }));
  }
}
