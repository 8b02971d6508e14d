import { Counter, type Registry } from 'prom-client';

/** Why an authentication failed, for `anxin_auth_failures_total{reason}`. */
export type AuthFailureReason = 'unknown_user' | 'wrong_password' | 'disabled' | 'throttled' | 'expired' | 'revoked' | 'invalid';

/** What the login throttle decided for one attempt, and on which key (`none` when allowed). */
export type ThrottleDecision = 'allow' | 'slow' | 'refuse';
export type ThrottleDecisionKey = 'none' | 'address' | 'account_address' | 'account';

export interface AuthMetrics {
  failure(reason: AuthFailureReason): void;
  /** `anxin_auth_login_throttle_total{decision,key}`: every login attempt's throttle decision. */
  throttle(decision: ThrottleDecision, key: ThrottleDecisionKey): void;
}

export class PrometheusAuthMetrics implements AuthMetrics {
  private readonly failures: Counter<'reason'>;
  private readonly decisions: Counter<'decision' | 'key'>;

  constructor(registry: Registry) {
    this.failures = new Counter({
      name: 'anxin_auth_failures_total',
      help: 'Refused logins and refused tokens, by reason',
      labelNames: ['reason'],
      registers: [registry],
    });
    this.decisions = new Counter({
      name: 'anxin_auth_login_throttle_total',
      help: 'Login attempts by throttle decision (allow, slow, refuse) and the key it was taken on (address, account_address, account)',
      labelNames: ['decision', 'key'],
      registers: [registry],
    });
  }

  throttle(decision: ThrottleDecision, key: ThrottleDecisionKey): void {
    this.decisions.inc({ decision, key });
  }

  failure(reason: AuthFailureReason): void {
    this.failures.inc({ reason });
  }
}
