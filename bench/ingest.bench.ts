/**
 * `npm run bench:ingest` — sustained end-to-end ingest (QoS 1 PUBLISH from a
 * device → point confirmed by InfluxDB) against raw aedes publish→subscribe
 * throughput, measured in the same run on the same machine, and their ratio.
 * Target (spine #2): ratio ≥ 0.6.
 *
 * The load comes from a child process (so it does not share the broker's
 * event loop): `--devices` MQTT clients, each keeping `--window` QoS 1
 * messages in flight, for `--seconds`. InfluxDB: `--influx-url` (1.x) or a
 * throw-away `influxd` spawned for the run.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Aedes } from 'aedes';
import { Command } from 'commander';
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import mqtt from 'mqtt';
import { topics } from '../devices/protocol.js';
import { AppModule } from '../src/app.module.js';
import { configSchema } from '../src/config/config.schema.js';
import { DeviceAdminService } from '../src/device-state/device-admin.service.js';
import { DurableInbox } from '../src/ingest/durable-inbox.js';
import { silentLogger } from '../src/observability/logger.js';
import { PlatformRuntime } from '../src/platform.runtime.js';
import { startInfluxServer } from '../test/support/influx-server.js';

interface LoadSpec {
  readonly url: string;
  readonly devices: readonly { deviceId: string; secret: string }[];
  readonly window: number;
  readonly seconds: number;
}

interface LoadResult {
  readonly acked: number;
  readonly startedAt: number;
  readonly endedAt: number;
}

// ---------------------------------------------------------------- load generator (child process)

/** Publishes care-bed telemetry as fast as the broker acknowledges it. */
async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const clients = await Promise.all(
    spec.devices.map(
      (d) =>
        new Promise<mqtt.MqttClient>((resolve, reject) => {
          const c = mqtt.connect(spec.url, { clientId: d.deviceId, username: d.deviceId, password: d.secret, reconnectPeriod: 0 });
          c.once('connect', () => resolve(c));
          c.once('error', reject);
        }),
    ),
  );
  let acked = 0;
  const startedAt = Date.now();
  const stopAt = startedAt + spec.seconds * 1000;
  // Device time in the past (no clock-skew rejection), 1 ms apart per device.
  const base = startedAt - 30 * 86_400_000;
  await Promise.all(
    clients.map(
      (client, i) =>
        new Promise<void>((resolve) => {
          let seq = 0;
          let inFlight = 0;
          const topic = topics.uplink(spec.devices[i]!.deviceId, 'telemetry');
          const send = (): void => {
            while (inFlight < spec.window && Date.now() < stopAt) {
              seq++;
              inFlight++;
              const payload = `{"seq":${seq},"ts":${base + i * 10_000_000 + seq},"heartRate":${60 + (seq % 30)},"respirationRate":${12 + (seq % 8)},"inBed":true,"movement":${seq % 20}}`;
              client.publish(topic, payload, { qos: 1 }, (error) => {
                inFlight--;
                if (!error) acked++;
                if (Date.now() < stopAt) send();
                else if (inFlight === 0) resolve();
              });
            }
          };
          send();
        }),
    ),
  );
  const endedAt = Date.now();
  await Promise.all(clients.map((c) => c.endAsync()));
  return { acked, startedAt, endedAt };
}

function loadFromChild(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--role', 'load'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (m) => resolve(m as LoadResult));
    child.once('error', reject);
    child.once('exit', (code) => code !== 0 && reject(new Error(`load generator exited with ${code}`)));
    child.send(spec);
  });
}

// ---------------------------------------------------------------- baseline: raw aedes pub→sub

async function measureRawAedes(opts: { devices: number; window: number; seconds: number }): Promise<number> {
  const broker = await Aedes.createBroker();
  const server = createServer((socket) => broker.handle(socket));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const subscriber = mqtt.connect(url, { clientId: 'baseline-subscriber' });
  await new Promise<void>((r) => subscriber.once('connect', () => r()));
  await subscriber.subscribeAsync('anxin/#', { qos: 1 });
  let received = 0;
  subscriber.on('message', () => received++);
  const devices = Array.from({ length: opts.devices }, (_, i) => ({ deviceId: `bench-${String(i).padStart(4, '0')}`, secret: 'x' }));
  const load = await loadFromChild({ url, devices, window: opts.window, seconds: opts.seconds });
  // Wait until the subscriber has everything the publishers got acknowledged.
  const deadline = Date.now() + 30_000;
  while (received < load.acked && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const elapsed = (Date.now() - load.startedAt) / 1000;
  await subscriber.endAsync();
  await new Promise<void>((r) => broker.close(() => r()));
  server.close();
  return received / elapsed;
}

// ---------------------------------------------------------------- the platform, end to end

async function measurePlatform(opts: { devices: number; window: number; seconds: number; influxUrl: string }): Promise<{ rate: number; stored: number; acked: number; maxBacklog: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'anxin-bench-'));
  const database = `bench_${Date.now()}`;
  const config = configSchema.parse({
    dataDir,
    logLevel: 'silent',
    http: { host: '127.0.0.1', port: 0 },
    mqtt: { host: '127.0.0.1', port: 0, rateLimit: { perSecond: 1_000_000, burst: 1_000_000 } },
    influx: { version: 1, url: opts.influxUrl, database },
    demo: { enabled: false, liveHomes: 0 },
    adminToken: 'bench-admin-token-0123456789',
  });
  const app = await NestFactory.create(AppModule.forRoot(config, { logger: silentLogger }), { logger: false });
  await app.init();
  await app.get(PlatformRuntime).openIngress();
  try {
    const admin = app.get(DeviceAdminService);
    const devices = [];
    for (let i = 0; i < opts.devices; i++) devices.push(await admin.provision({ type: 'care-bed' }, 'bench'));
    const url = `mqtt://127.0.0.1:${app.get(PlatformRuntime).brokerAddresses()!.tcp}`;
    const inbox = app.get(DurableInbox);
    let maxBacklog = 0;
    const sampler = setInterval(() => (maxBacklog = Math.max(maxBacklog, inbox.backlog())), 100);
    const load = await loadFromChild({ url, devices, window: opts.window, seconds: opts.seconds });
    const deadline = Date.now() + 120_000;
    while (inbox.backlog() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const elapsed = (Date.now() - load.startedAt) / 1000;
    clearInterval(sampler);
    const count = await fetch(`${opts.influxUrl}/query?${new URLSearchParams({ db: database, q: 'SELECT count("heartRate") FROM "vitals"' }).toString()}`);
    const body = (await count.json()) as { results: { series?: { values: [string, number][] }[] }[] };
    const stored = body.results[0]?.series?.[0]?.values[0]?.[1] ?? 0;
    return { rate: stored / elapsed, stored, acked: load.acked, maxBacklog };
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- main

export interface IngestThroughput {
  readonly rawAedes: number;
  readonly platform: number;
  readonly ratio: number;
  readonly acked: number;
  readonly stored: number;
  readonly maxBacklog: number;
}

/** Both measurements of this benchmark, for other benchmarks to print alongside their own. */
export async function measureIngest(opts: { devices: number; window: number; seconds: number; influxUrl?: string }): Promise<IngestThroughput> {
  const influx = opts.influxUrl ? undefined : await startInfluxServer();
  try {
    const shape = { devices: opts.devices, window: opts.window, seconds: opts.seconds };
    const rawAedes = await measureRawAedes(shape);
    const platform = await measurePlatform({ ...shape, influxUrl: opts.influxUrl ?? influx!.url });
    return { rawAedes, platform: platform.rate, ratio: platform.rate / rawAedes, acked: platform.acked, stored: platform.stored, maxBacklog: platform.maxBacklog };
  } finally {
    await influx?.dispose();
  }
}

async function main(): Promise<void> {
  const program = new Command('bench:ingest')
    .option('--devices <n>', 'publishing devices', (v) => Number(v), 50)
    .option('--window <n>', 'QoS 1 messages in flight per device', (v) => Number(v), 20)
    .option('--seconds <n>', 'duration of each measurement', (v) => Number(v), 15)
    .option('--influx-url <url>', 'InfluxDB 1.x to write to (default: spawn a throw-away influxd)')
    .option('--role <role>', 'internal: load generator child', 'main')
    .parse();
  const o = program.opts<{ devices: number; window: number; seconds: number; influxUrl?: string; role: string }>();
  if (o.role === 'load') {
    process.once('message', (spec) => {
      runLoad(spec as LoadSpec).then(
        (result) => process.send!(result, () => process.exit(0)),
        (error: unknown) => {
          process.stderr.write(`load generator failed: ${String(error)}\n`);
          process.exit(1);
        },
      );
    });
    return;
  }
  process.stdout.write(`load: ${o.devices} devices × ${o.window} in flight, QoS 1, ${o.seconds} s per measurement\n`);
  process.stdout.write(`${formatIngestThroughput(await measureIngest(o))}\n`);
}

export function formatIngestThroughput(r: IngestThroughput): string {
  const lines = [
    `raw aedes publish→subscribe      ${Math.round(r.rawAedes).toLocaleString('en')} msg/s`,
    `platform publish→InfluxDB point  ${Math.round(r.platform).toLocaleString('en')} msg/s  (acked ${r.acked}, stored ${r.stored}, max inbox backlog ${r.maxBacklog})`,
    `ratio platform / raw aedes        ${r.ratio.toFixed(2)}  (target ≥ 0.60: ${r.ratio >= 0.6 ? 'met' : 'NOT met'})`,
  ];
  if (r.stored < r.acked) lines.push(`WARNING: ${r.acked - r.stored} acknowledged messages are not in InfluxDB`);
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
