/**
 * A fleet of real MQTT clients that publish QoS 1 telemetry and remember
 * which messages the broker acknowledged (PUBACK), for durability tests.
 * MQTT.js keeps unacknowledged QoS 1 messages in its outgoing store and
 * resends them after a reconnect, as device firmware does.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { createServer } from 'node:net';
import { topics } from '../../devices/protocol.js';

export interface LoadDevice {
  readonly deviceId: string;
  readonly secret: string;
}

export interface DeviceLoad {
  /** Device id → device timestamps of acknowledged messages. */
  readonly acked: Map<string, Set<number>>;
  /** Device id → device timestamps of every message handed to the client. */
  readonly sent: Map<string, Set<number>>;
  /** Stops publishing and waits until every sent message is acknowledged (or the timeout passes). */
  stop(settleTimeoutMs?: number): Promise<void>;
  totals(): { sent: number; acked: number };
}

export function startDeviceLoad(brokerUrl: string, devices: readonly LoadDevice[], perDevicePerSecond: number, firstTs = Date.now() - 30 * 86_400_000): DeviceLoad {
  const acked = new Map<string, Set<number>>();
  const sent = new Map<string, Set<number>>();
  const clients: MqttClient[] = [];
  const timers: NodeJS.Timeout[] = [];
  devices.forEach((device, index) => {
    const client = mqtt.connect(brokerUrl, { clientId: device.deviceId, username: device.deviceId, password: device.secret, reconnectPeriod: 500, connectTimeout: 2_000, clean: true });
    client.on('error', () => undefined); // refused/closed while the backend is down: MQTT.js reconnects
    clients.push(client);
    acked.set(device.deviceId, new Set());
    sent.set(device.deviceId, new Set());
    let seq = 0;
    // Device time: 1 ms apart per message, distinct per device; in the past so no clock-skew check applies.
    const timer = setInterval(() => {
      if (!client.connected) return; // a device buffers to flash while offline; here it simply waits
      seq++;
      const ts = firstTs + index * 10_000_000 + seq;
      sent.get(device.deviceId)!.add(ts);
      client.publish(topics.uplink(device.deviceId, 'telemetry'), JSON.stringify({ seq, ts, motionCount: seq % 50 }), { qos: 1 }, (error) => {
        if (!error) acked.get(device.deviceId)!.add(ts);
      });
    }, 1000 / perDevicePerSecond);
    timers.push(timer);
  });
  const count = (m: Map<string, Set<number>>): number => [...m.values()].reduce((n, s) => n + s.size, 0);
  return {
    acked,
    sent,
    totals: () => ({ sent: count(sent), acked: count(acked) }),
    async stop(settleTimeoutMs = 20_000) {
      for (const t of timers) clearInterval(t);
      const deadline = Date.now() + settleTimeoutMs;
      while (count(acked) < count(sent) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      await Promise.all(clients.map((c) => c.endAsync(true)));
    },
  };
}

export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
