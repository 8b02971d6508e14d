import { Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { timingSafeEqual, createHash } from 'node:crypto';

export const ADMIN_TOKEN = Symbol('AdminToken');

/**
 * Endpoints that change state or reveal personal data need the admin bearer
 * token from configuration (accounts and roles come with dispatch).
 */
@Injectable()
export class AdminGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(@Inject(ADMIN_TOKEN) token: string) {
    // Compare digests so timingSafeEqual sees equal lengths whatever is sent.
    this.expected = createHash('sha256').update(token).digest();
  }

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>().headers.authorization ?? '';
    const match = /^Bearer (.+)$/.exec(header);
    if (!match?.[1]) throw new UnauthorizedException({ error: 'admin token required', hint: 'Authorization: Bearer <ANXIN_ADMIN_TOKEN>' });
    const given = createHash('sha256').update(match[1]).digest();
    if (!timingSafeEqual(given, this.expected)) throw new UnauthorizedException({ error: 'wrong admin token' });
    return true;
  }
}
