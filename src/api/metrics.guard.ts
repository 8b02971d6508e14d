import { ForbiddenException, Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AccessGuard } from '../accounts/api/access.guard.js';
import type { AppConfig } from '../config/config.schema.js';
import { APP_CONFIG } from '../platform.tokens.js';

/**
 * /metrics names device counts, refusal reasons and queue depths: not
 * personal data, but a map of the platform for an attacker. Prometheus
 * presents `ANXIN_METRICS_TOKEN` as a bearer token (scrape config
 * `authorization: { credentials: … }`); the admin token and a platform
 * admin's account token also read it.
 */
@Injectable()
export class MetricsGuard implements CanActivate {
  private readonly metricsDigest: Buffer | undefined;

  constructor(
    private readonly access: AccessGuard,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.metricsDigest = config.http.metricsToken === undefined ? undefined : digest(config.http.metricsToken);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>();
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (token === undefined) throw new UnauthorizedException({ error: 'bearer token required', hint: 'the metrics token (ANXIN_METRICS_TOKEN) or the admin token' });
    if (this.metricsDigest !== undefined && timingSafeEqual(digest(token), this.metricsDigest)) return true;
    const principal = await this.access.authenticate(token);
    if (principal.role !== 'platform_admin') throw new ForbiddenException({ error: `role ${principal.role} may not read metrics`, allowedRoles: ['platform_admin'] });
    return true;
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
