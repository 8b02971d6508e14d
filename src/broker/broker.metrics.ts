/**
 * Prometheus metrics of the embedded broker, registered on the registry that
 * /metrics serves.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { BROKER_REFUSAL_REASONS, type BrokerRefusalReason } from '../domain/broker-acl/device-acl.js';
import type { BrokerMetrics } from './broker.ports.js';

export class PrometheusBrokerMetrics implements BrokerMetrics {
  private readonly refusals: Counter<'reason'>;
  private readonly connectedDevices: Gauge;
  private readonly uplinkFailures: Counter;

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
