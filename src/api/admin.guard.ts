import { ForbiddenException, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { AccessGuard } from '../accounts/api/access.guard.js';


/**
 * Endpoints that change state or reveal personal data across the whole
 * platform: the configured admin token, or the token of a logged-in
 * platform_admin account. Authentication itself is AccessGuard's.
 */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(private readonly access: AccessGuard) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; principal?: unknown }>();
    const match = /^Bearer (.+)$/.exec(request.headers.authorization ?? '');
    const principal = await this.access.authenticate(match?.[1]);
    if (principal.role !== 'platform_admin') throw new ForbiddenException({ error: `role ${principal.role} may not do this`, allowedRoles: ['platform_admin'] });
    request.principal = principal;
    return true;
  }
}
