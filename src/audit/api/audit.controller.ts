/**
 * The audit trail over REST: a platform admin queries all of it, a district
 * officer their district's; nobody else. There is no route that changes or
 * deletes an entry, and the table refuses it anyway (migration 0140-audit).
 *
 * @example
 * GET /api/audit?residentId=res-420103-0007&from=1772409600000   → { items: [{ action: 'resident.card.read', actorName: 'minzu.caregiver1', … }], nextCursor: null }
 * GET /api/audit.csv?action=resident.vitals.read                  → text/csv (itself recorded as audit.export)
 */
import { Controller, ForbiddenException, Get, Header, Ip, Query, Res } from '@nestjs/common';
import { z } from 'zod';
import { CurrentPrincipal, RequireRole } from '../../accounts/api/access.guard.js';
import { documentRoute } from '../../api/openapi.js';
import { ZodValidationPipe } from '../../api/zod-validation.pipe.js';
import type { Principal } from '../../domain/access/principal.js';
import { AUDIT_READER_ROLES } from '../../domain/audit/audit-access.js';
import { chainVerdictSchema, type ChainVerdict } from '../../domain/audit/audit-chain.js';
import { auditPageSchema, auditQuerySchema, type AuditQuery } from '../../domain/audit/audit-entry.schema.js';
import { AuditAccessError, AuditTrail } from '../audit-trail.service.js';

documentRoute({
  method: 'get',
  path: '/api/audit',
  tag: 'audit',
  roles: AUDIT_READER_ROLES,
  summary: 'Audit trail of sensitive reads and changes, newest first, filtered by resident, actor, action, district and time; a district officer sees their district only',
  query: auditQuerySchema,
  response: auditPageSchema,
});
documentRoute({
  method: 'get',
  path: '/api/audit.csv',
  tag: 'audit',
  roles: AUDIT_READER_ROLES,
  summary: 'The same entries as CSV (RFC 4180, UTF-8 with BOM; at most 50,000 rows, `x-anxin-next-cursor` continues); the export is itself audited',
  // No response schema: the document would call it JSON; the summary says text/csv.
  query: auditQuerySchema.omit({ limit: true }),
});

documentRoute({
  method: 'get',
  path: '/api/audit/verify',
  tag: 'audit',
  roles: ['platform_admin'],
  summary: "Verify the trail's SHA-256 hash chain from the oldest retained entry: ok, or the first entry changed, removed or inserted outside the API",
  response: chainVerdictSchema,
});

const pipes = {
  query: new ZodValidationPipe(auditQuerySchema, 'query'),
  // The export is bounded by AUDIT_EXPORT_MAX, not by the page size.
  export: new ZodValidationPipe(auditQuerySchema.omit({ limit: true }).transform((q) => ({ ...q, limit: 1_000 })), 'query'),
};

@Controller('api')
@RequireRole(...AUDIT_READER_ROLES)
export class AuditController {
  constructor(private readonly trail: AuditTrail) {}

  @Get('audit')
  async list(@Query(pipes.query) q: AuditQuery, @CurrentPrincipal() principal: Principal): Promise<z.infer<typeof auditPageSchema>> {
    return refused(() => this.trail.query(principal, q));
  }

  @Get('audit/verify')
  @RequireRole('platform_admin')
  async verify(): Promise<ChainVerdict> {
    return this.trail.verify();
  }

  @Get('audit.csv')
  @Header('content-type', 'text/csv; charset=utf-8')
  @Header('content-disposition', 'attachment; filename="anxin-audit.csv"')
  async csv(@Query(pipes.export) q: AuditQuery, @CurrentPrincipal() principal: Principal, @Ip() ip: string, @Res({ passthrough: true }) res: { setHeader(name: string, value: string): void }): Promise<string> {
    const { csv, nextCursor } = await refused(() => this.trail.exportCsv({ principal, address: ip || null }, q));
    if (nextCursor !== null) res.setHeader('x-anxin-next-cursor', String(nextCursor));
    return csv;
  }
}

async function refused<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof AuditAccessError) throw new ForbiddenException({ error: error.message, reason: error.reason });
    throw error;
  }
}
