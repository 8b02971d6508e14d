/**
 * Prometheus metrics of the embedded broker, registered on the registry that
 * /metrics serves.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { BROKER_REFUSAL_REASONS, type BrokerRefusalReason } from '../domain/broker-acl/device-acl.js';
import { LOGIN_THROTTLE_SCOPES, type LoginThrottleScope } from '../domain/broker-acl/login-guard.js';
import { LOGIN_THROTTLE_DECISIONS, RETAIN_SOURCES, type BrokerMetrics, type LoginThrottleDecision, type RetainSource } from './broker.ports.js';

export class PrometheusBrokerMetrics implements BrokerMetrics {
  private readonly refusals: Counter<'reason'>;
  private readonly connectedDevices: Gauge;
  private readonly uplinkFailures: Counter;
  private readonly throttleDecisions: Counter<'scope' | 'decision'>;
  private readonly retainStrips: Counter<'source'>;
  private readonly takeovers: Counter;

  constructor(registry: Registry) {
    this.refusals = new Counter({
      name: 'anxin_broker_refusals_total',
      help: 'Connections, publishes, subscriptions and wills the broker refused, by reason',
      labelNames: ['reason'],
      registers: [registry],
    });
    // Zero-initialise every reason so dashboards and alerts see the series before the first refusal.
    for (const reason of BROKER_REFUSAL_REASONS) this.refusals.inc({ reason }, 0);
    this.connectedDevices = new Gauge({
      name: 'anxin_broker_connected_devices',
      help: 'Devices with an open, authenticated MQTT connection',
      registers: [registry],
    });
    this.uplinkFailures = new Counter({
      name: 'anxin_broker_uplink_unacknowledged_total',
      help: 'Allowed device publishes the uplink sink could not store; not acknowledged, so the device resends',
      registers: [registry],
    });
    this.throttleDecisions = new Counter({
      name: 'anxin_broker_login_throttle_total',
      help: 'Login-throttle decisions: refused = an attempt refused unchecked while its key is locked, locked = a lockout started; scope address or device_address (never a device id alone)',
      labelNames: ['scope', 'decision'],
      registers: [registry],
    });
    for (const scope of LOGIN_THROTTLE_SCOPES) for (const decision of LOGIN_THROTTLE_DECISIONS) this.throttleDecisions.inc({ scope, decision }, 0);
    this.retainStrips = new Counter({
      name: 'anxin_broker_retain_stripped_total',
      help: 'Device publishes and wills that carried the retain flag; the flag was cleared, nothing was retained, the message itself went through',
      labelNames: ['source'],
      registers: [registry],
    });
    for (const source of RETAIN_SOURCES) this.retainStrips.inc({ source }, 0);
    this.takeovers = new Counter({
      name: 'anxin_broker_session_takeovers_total',
      help: "Device connections closed because a newer connection with the same client id authenticated; repeated ones raise the operator alert mqtt_session_takeover",
      registers: [registry],
    });
  }

  loginThrottle(scope: LoginThrottleScope, decision: LoginThrottleDecision): void {
    this.throttleDecisions.inc({ scope, decision });
  }

  retainStripped(source: RetainSource): void {
    this.retainStrips.inc({ source });
  }

  sessionTakeover(): void {
    this.takeovers.inc();
  }

  refused(reason: BrokerRefusalReason): void {
    this.refusals.inc({ reason });
  }

  connected(count: number): void {
    this.connectedDevices.set(count);
  }

  uplinkFailed(): void {
    this.uplinkFailures.inc();
  }
}
