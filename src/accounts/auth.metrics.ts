import { Counter, type Registry } from 'prom-client';

/** Why an authentication failed, for `anxin_auth_failures_total{reason}`. */
export type AuthFailureReason = 'unknown_user' | 'wrong_password' | 'disabled' | 'throttled' | 'expired' | 'revoked' | 'invalid';

export interface AuthMetrics {
  failure(reason: AuthFailureReason): void;
}

export class PrometheusAuthMetrics implements AuthMetrics {
  private readonly failures: Counter<'reason'>;

  constructor(registry: Registry) {
    this.failures = new Counter({
      name: 'anxin_auth_failures_total',
      help: 'Refused logins and refused tokens, by reason',
      labelNames: ['reason'],
      registers: [registry],
    });
  }

  failure(reason: AuthFailureReason): void {
    this.failures.inc({ reason });
  }
}
