import { Counter, type Registry } from 'prom-client';
import type { DeviceStateMetrics } from './device-state.service.js';

export class PrometheusDeviceStateMetrics implements DeviceStateMetrics {
  private readonly aboveMax: Counter<'deviceType'>;

  constructor(registry: Registry) {
    this.aboveMax = new Counter({
      name: 'anxin_devices_heartbeat_above_max_total',
      help: "Status messages announcing a heartbeat interval above the device type's maximum (held to the maximum)",
      labelNames: ['deviceType'],
      registers: [registry],
    });
  }

  heartbeatAboveMax(deviceType: string): void {
    this.aboveMax.inc({ deviceType });
  }
}
