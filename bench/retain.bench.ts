/**
 * `npm run bench:retain` — what retained publishes from devices cost the
 * broker's memory. In one process, each phase on a fresh broker: 200 devices
 * each publish one 250 KB QoS 1 message to their own event topic, and the
 * process's memory is measured after a full GC, before and after, with the
 * broker still holding whatever it kept (after an unreported warm-up run):
 *
 *   baseline   MqttBroker, retain false
 *   retained   MqttBroker, retain true (the flag is cleared, nothing is kept)
 *   raw aedes  aedes without the platform's hooks, retain true (reference:
 *              what an unguarded broker keeps)
 *
 *   npm run build && node --expose-gc dist/bench/retain.bench.js [devices] [kilobytes]
 */
import { createServer, type AddressInfo, type Server } from 'node:net';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { topics } from '../devices/protocol.js';
import type { BrokerMetrics, DeviceCredentials } from '../src/broker/broker.ports.js';
import { MqttBroker } from '../src/broker/mqtt-broker.js';
import { hashDeviceSecret, verifyDeviceSecret } from '../src/registry/device-secret.js';

const DEVICES = Number(process.argv[2] ?? 200);
const PAYLOAD_BYTES = Number(process.argv[3] ?? 250) * 1000;
const SECRET = 'bench-secret';
const SECRET_HASH = hashDeviceSecret(SECRET);

const credentials: DeviceCredentials = { lookup: () => ({ secretHash: SECRET_HASH, disabled: false }), verify: verifyDeviceSecret };
const noMetrics: BrokerMetrics = { refused: () => undefined, connected: () => undefined, uplinkFailed: () => undefined, loginThrottle: () => undefined, retainStripped: () => undefined, sessionTakeover: () => undefined };

const deviceId = (i: number): string => `bed-${String(i).padStart(6, '0')}`;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Memory {
  readonly rss: number;
  readonly heapUsed: number;
  readonly arrayBuffers: number;
}

async function settledMemory(): Promise<Memory> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc');
  for (let i = 0; i < 4; i += 1) {
    gc();
    await sleep(50);
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers };
}

/** Each device connects, publishes one message (QoS 1, waits for PUBACK) and disconnects; 20 at a time. */
async function publishFromDevices(url: string, retain: boolean): Promise<void> {
  const payload = Buffer.alloc(PAYLOAD_BYTES, 0x61);
  for (let start = 0; start < DEVICES; start += 20) {
    await Promise.all(
      Array.from({ length: Math.min(20, DEVICES - start) }, async (_, k) => {
        const id = deviceId(start + k);
        const client = await mqtt.connectAsync(url, { clientId: id, username: id, password: SECRET, reconnectPeriod: 0 });
        await client.publishAsync(topics.uplink(id, 'event'), payload, { qos: 1, retain });
        await client.endAsync();
      }),
    );
  }
}

interface Phase {
  readonly name: string;
  readonly before: Memory;
  readonly after: Memory;
  readonly retained: number;
}

async function measureMqttBroker(name: string, retain: boolean): Promise<Phase> {
  const broker = await MqttBroker.start(
    { host: '127.0.0.1', port: 0, maxPacketBytes: PAYLOAD_BYTES + 1024, rateLimit: { perSecond: 1_000, burst: 1_000 } },
    { credentials, metrics: noMetrics, sink: { accept: () => Promise.resolve(), presence: () => undefined } },
  );
  const before = await settledMemory();
  await publishFromDevices(`mqtt://127.0.0.1:${broker.addresses().tcp}`, retain);
  const after = await settledMemory();
  const retained = await broker.retainedCount();
  await broker.close();
  return { name, before, after, retained };
}

async function measureRawAedes(): Promise<Phase> {
  const aedes = await Aedes.createBroker({ maxClientsIdLength: 64 });
  const server: Server = createServer((socket) => aedes.handle(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const before = await settledMemory();
  await publishFromDevices(`mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`, true);
  const after = await settledMemory();
  const persistence = (aedes as unknown as { persistence: { createRetainedStream(pattern: string): AsyncIterable<unknown> } }).persistence;
  const kept: unknown[] = [];
  for await (const packet of persistence.createRetainedStream('anxin/#')) kept.push(packet);
  await new Promise<void>((resolve) => aedes.close(() => resolve()));
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return { name: 'raw aedes, retain true (reference)', before, after, retained: kept.length };
}

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const delta = (after: number, before: number): string => `${after - before >= 0 ? '+' : ''}${mib(after - before)}`;

async function main(): Promise<void> {
  // Warm-up (not reported): the first run pays for socket pools, JIT and allocator growth.
  await measureMqttBroker('warm-up', false);
  const phases = [
    await measureMqttBroker('MqttBroker, retain false (baseline)', false),
    await measureMqttBroker('MqttBroker, retain true', true),
    await measureRawAedes(),
  ];
  console.log(`retain bench: ${DEVICES} devices × one ${PAYLOAD_BYTES / 1000} KB QoS 1 publish, memory after full GC, broker still open`);
  console.log(['phase', 'retained msgs', 'Δ rss', 'Δ heapUsed', 'Δ arrayBuffers', 'rss after'].join(' | '));
  for (const p of phases) {
    console.log([p.name, String(p.retained), delta(p.after.rss, p.before.rss), delta(p.after.heapUsed, p.before.heapUsed), delta(p.after.arrayBuffers, p.before.arrayBuffers), mib(p.after.rss)].join(' | '));
  }
}

await main();
