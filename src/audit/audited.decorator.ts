/**
 * `@Audited(action, locate)` on a route: after the handler succeeded, and
 * before the answer leaves, one entry is appended to the audit trail. The
 * route stays a one-liner (STYLE.md §4) and says what it reveals or changes
 * next to who may call it.
 *
 * `locate` maps the request (path params, query, body) and the handler's
 * result to the entry's subject, or to null when this call revealed or
 * changed nothing that is audited (a masked read). For a `read` action a failed write turns
 * the answer into 503 (fail closed); for a `change` it is logged and counted.
 * Failed and refused requests record nothing: only what was served or done.
 *
 * Use behind `@RequireRole` or AdminGuard, which set the principal.
 *
 * @example
 * @Get(':id/resident')
 * @RequireRole('provider_dispatcher', 'caregiver')
 * @Audited<ResidentCard>('resident.card.read', ({ params }, card) => ({ targetKind: 'order', targetId: params.id ?? null, residentId: card.residentId, purpose: params.id ?? null }))
 * resident(…) { … }
 */
import { applyDecorators, Inject, Injectable, SetMetadata, UnauthorizedException, UseInterceptors, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { from, mergeMap, type Observable } from 'rxjs';
import type { Principal } from '../domain/access/principal.js';
import type { AuditAction } from '../domain/audit/audit-entry.schema.js';
import { AuditTrail, type AuditSubject } from './audit-trail.service.js';

export interface AuditedRequest {
  readonly params: Readonly<Record<string, string | undefined>>;
  readonly query: Readonly<Record<string, unknown>>;
  readonly body: unknown;
}

interface AuditSpec {
  readonly action: AuditAction;
  readonly locate: (request: AuditedRequest, result: never) => AuditSubject | null;
}

const AUDIT_SPEC = Symbol('AuditSpec');

interface HttpRequest extends AuditedRequest {
  readonly principal?: Principal;
  readonly ip?: string;
  readonly socket?: { readonly remoteAddress?: string };
}

@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    @Inject(AuditTrail) private readonly trail: AuditTrail,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const spec = this.reflector.get<AuditSpec | undefined>(AUDIT_SPEC, context.getHandler());
    if (spec === undefined) return next.handle();
    const request = context.switchToHttp().getRequest<HttpRequest>();
    return next.handle().pipe(
      mergeMap((result: unknown) =>
        from(
          (async () => {
            const principal = request.principal;
            // The guards set it; a route audited without one is a wiring bug, refused rather than served unaudited.
            if (principal === undefined) throw new UnauthorizedException({ error: 'bearer token required' });
            const subject = spec.locate({ params: request.params, query: request.query, body: request.body }, result as never);
            if (subject !== null) await this.trail.record(spec.action, { principal, address: addressOf(request) }, subject);
            return result;
          })(),
        ),
      ),
    );
  }
}

export function Audited<R = unknown>(action: AuditAction, locate: (request: AuditedRequest, result: R) => AuditSubject | null): MethodDecorator {
  const spec: AuditSpec = { action, locate };
  return applyDecorators(SetMetadata(AUDIT_SPEC, spec), UseInterceptors(AuditInterceptor));
}

/** Express's `req.ip` (the socket's peer unless `trust proxy` is configured), as the login throttle takes it. */
function addressOf(request: HttpRequest): string | null {
  const address = request.ip ?? request.socket?.remoteAddress;
  return address === undefined || address === '' ? null : address.slice(0, 64);
}
