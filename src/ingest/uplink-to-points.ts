/**
 * Normalises decoded uplink messages into telemetry points (the InfluxDB
 * schema of src/telemetry/README.md): metrics grouped into measurements by
 * their descriptors, tags from the device's binding at receipt time.
 */
import type { DeviceTypeDescriptor, Measurement } from '../../devices/device-type.js';
import type { UplinkMessage } from '../../devices/decode-uplink.js';
import type { DeviceBinding } from '../domain/events/domain-events.js';
import type { FieldValue, PointTags, TelemetryPoint } from '../telemetry/telemetry.store.js';

const measurementByMetric = new WeakMap<DeviceTypeDescriptor, ReadonlyMap<string, Measurement>>();

function measurementsOf(type: DeviceTypeDescriptor): ReadonlyMap<string, Measurement> {
  let map = measurementByMetric.get(type);
  if (!map) {
    map = new Map(type.metrics.map((m) => [m.key, m.measurement]));
    measurementByMetric.set(type, map);
  }
  return map;
}

export function tagsOf(binding: DeviceBinding): PointTags {
  return {
    deviceId: binding.deviceId,
    deviceType: binding.deviceType,
    ...(binding.residentId ? { residentId: binding.residentId } : {}),
    ...(binding.districtCode ? { districtCode: binding.districtCode } : {}),
    ...(binding.streetCode ? { streetCode: binding.streetCode } : {}),
  };
}

function primitiveFields(source: Readonly<Record<string, unknown>>): Record<string, FieldValue> {
  const fields: Record<string, FieldValue> = {};
  for (const [key, value] of Object.entries(source)) {
    if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') fields[key] = value;
  }
  return fields;
}

export function uplinkToPoints(type: DeviceTypeDescriptor, binding: DeviceBinding, message: UplinkMessage): TelemetryPoint[] {
  const tags = tagsOf(binding);
  switch (message.kind) {
    case 'telemetry': {
      const byMeasurement = new Map<Measurement, Record<string, FieldValue>>();
      const measurements = measurementsOf(type);
      for (const [key, value] of Object.entries(message.metrics)) {
        const measurement = measurements.get(key) ?? 'activity';
        let fields = byMeasurement.get(measurement);
        if (!fields) byMeasurement.set(measurement, (fields = {}));
        fields[key] = value;
      }
      return [...byMeasurement].map(([measurement, fields]) => ({ measurement, tags, ts: message.ts, fields }));
    }
    case 'event':
      // `value = 1` lets Grafana count events with sum(); details ride along as fields.
      return [{ measurement: 'events', tags: { ...tags, event: message.event }, ts: message.ts, fields: { value: 1, seq: message.seq, ...primitiveFields(message.details) } }];
    case 'status': {
      const { seq, ts, ...status } = message.status;
      return [{ measurement: 'device_health', tags, ts: message.ts, fields: primitiveFields(status) }];
    }
    case 'command_reply': {
      const { cmdId, ok, error } = message.reply;
      return [{ measurement: 'events', tags: { ...tags, event: 'command_reply' }, ts: message.ts, fields: { value: 1, cmdId, ok, ...(error ? { error } : {}) } }];
    }
  }
}
