/**
 * Operator alerts: conditions an operator (not a caregiver) must look at,
 * because they say something about the platform's own safety rather than an
 * elder's. They are never dispatched to a provider.
 *
 * - `mqtt_session_takeover`: one device's session was taken over repeatedly,
 *   a cloned credential or two devices sharing one id.
 * - `mqtt_login_attack`: sustained wrong secrets for one device id.
 * - `account_login_attack`: sustained wrong passwords for one account.
 *
 * @example
 * sink.raise({ kind: 'mqtt_session_takeover', subject: 'sos-000001', raisedAt: now,
 *   detail: { takeovers: 3, windowMs: 600_000, addresses: ['10.0.0.7', '10.0.0.9'] } });
 */
export const OPERATOR_ALERT_KINDS = ['mqtt_session_takeover', 'mqtt_login_attack', 'account_login_attack'] as const;
export type OperatorAlertKind = (typeof OPERATOR_ALERT_KINDS)[number];

export interface OperatorAlert {
  readonly kind: OperatorAlertKind;
  /** What is under attack or misbehaving: a device id or an account's username. */
  readonly subject: string;
  /** Server clock, epoch ms. */
  readonly raisedAt: number;
  /** Small, JSON-serialisable facts for the operator (counts, addresses, window). */
  readonly detail: Readonly<Record<string, unknown>>;
}

/** Where operator alerts go; the adapter stores, counts and logs them. Never throws. */
export interface OperatorAlertSink {
  raise(alert: OperatorAlert): void;
}
