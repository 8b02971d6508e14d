/**
 * Role checks for REST: `@RequireRole('district_officer', …)` on a controller
 * or route accepts an account token (verified and checked for revocation by
 * AuthService) or the configured admin token (acting as platform_admin, so
 * the CLI and existing clients keep working). A platform admin passes every
 * role check. Scope is checked by the service against the resource
 * (`canAccess`), since only it knows the resource's district and provider.
 *
 * @example
 * @Get(':id')
 * @RequireRole('district_officer', 'provider_dispatcher', 'caregiver')
 * get(@Param() p: { id: string }, @CurrentPrincipal() principal: Principal) { … }
 */
import {
  applyDecorators,
  createParamDecorator,
  ForbiddenException,
  Inject,
  Injectable,
  SetMetadata,
  UnauthorizedException,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ADMIN_TOKEN } from '../../platform.tokens.js';
import { hasRole } from '../../domain/access/access-policy.js';
import { ADMIN_TOKEN_PRINCIPAL, ROLES, type Principal, type Role } from '../../domain/access/principal.js';
import { TokenError } from '../auth.errors.js';
import { AuthService } from '../auth.service.js';

export const REQUIRED_ROLES = Symbol('RequiredRoles');

interface RequestWithPrincipal {
  headers: Record<string, string | string[] | undefined>;
  principal?: Principal;
}

@Injectable()
export class AccessGuard implements CanActivate {
  private readonly adminDigest: Buffer;

  constructor(
    private readonly auth: AuthService,
    private readonly reflector: Reflector,
    @Inject(ADMIN_TOKEN) adminToken: string,
  ) {
    this.adminDigest = digest(adminToken);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<RequestWithPrincipal>();
    const principal = await this.authenticate(bearerOf(request));
    const roles = this.reflector.getAllAndOverride<readonly Role[] | undefined>(REQUIRED_ROLES, [context.getHandler(), context.getClass()]) ?? ROLES;
    if (!hasRole(principal, roles)) {
      throw new ForbiddenException({ error: `role ${principal.role} may not do this`, allowedRoles: roles });
    }
    request.principal = principal;
    return true;
  }

  /** The principal of a bearer token: the admin token, or a verified account token. */
  async authenticate(token: string | undefined): Promise<Principal> {
    if (token === undefined) throw new UnauthorizedException({ error: 'bearer token required', hint: 'POST /api/auth/login, then Authorization: Bearer <token>' });
    if (timingSafeEqual(digest(token), this.adminDigest)) return ADMIN_TOKEN_PRINCIPAL;
    try {
      return await this.auth.verify(token);
    } catch (error) {
      if (error instanceof TokenError) throw new UnauthorizedException({ error: error.message, code: error.code });
      throw error;
    }
  }
}

/** Requires a valid token whose role is one of `roles` (platform_admin always passes); none given: any role. */
export function RequireRole(...roles: Role[]): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(REQUIRED_ROLES, roles.length > 0 ? roles : ROLES), UseGuards(AccessGuard));
}

/** The principal AccessGuard authenticated (use only behind `@RequireRole`). */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<RequestWithPrincipal>().principal;
  if (!principal) throw new UnauthorizedException({ error: 'bearer token required' });
  return principal;
});

function bearerOf(request: RequestWithPrincipal): string | undefined {
  const header = request.headers.authorization;
  const value = Array.isArray(header) ? header[0] : header;
  const match = /^Bearer (.+)$/.exec(value ?? '');
  return match?.[1];
}

// Compare digests so timingSafeEqual sees equal lengths whatever is sent.
function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
