/**
 * `npm run bench:fleet` — firmware-sim's fleet mode at scale: N simulated
 * devices (default 10,000) connect to Debian's Mosquitto and run live (1×)
 * for a measurement window; prints connect time, achieved vs nominal message
 * rate, and the simulator's own memory per device.
 *
 * Mosquitto runs in its own process (one process holds at most about 19,980
 * sockets here, so broker and fleet must not share one); the fleet splits
 * itself over child processes above firmware-sim's per-process limit.
 * Nominal rate: each device's telemetry interval (where it has one) plus its
 * heartbeat interval, from the device catalogue.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { getDeviceType } from '../devices/catalogue.js';
import { buildDemoManifest, startFleet, withDemoSecrets, type FleetStats } from '../firmware-sim/index.js';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const sent = (s: FleetStats): number => s.sent.telemetry + s.sent.event + s.sent.status + s.sent['cmd/reply'] + s.uploaded;

async function main(): Promise<void> {
  const o = new Command('bench:fleet')
    .option('--devices <n>', 'simulated devices', (v) => Number(v), 10_000)
    .option('--seconds <n>', 'measurement window once every device is online', (v) => Number(v), 60)
    .parse()
    .opts<{ devices: number; seconds: number }>();

  const dir = mkdtempSync(join(tmpdir(), 'anxin-fleet-bench-'));
  const port = await freePort();
  // Anonymous on loopback: this measures the simulator, not broker authentication.
  writeFileSync(join(dir, 'mosquitto.conf'), [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'max_connections -1', 'max_queued_messages 100000', 'persistence false', 'log_type error', ''].join('\n'));
  const broker = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 500));

  const perHome = buildDemoManifest(1, 'bench').homes[0]!.devices.length;
  const homes = Math.ceil(o.devices / perHome);
  const full = withDemoSecrets(buildDemoManifest(homes, 'bench'), 'bench-demo-key-0123456789');
  // Whole homes, the last one cut to the requested device count.
  const manifest = { homes: full.homes.map((h, i) => ({ ...h, devices: h.devices.slice(0, Math.max(0, o.devices - i * perHome)) })) };
  const devices = manifest.homes.flatMap((h) => h.devices);
  const nominal = devices.reduce((rate, d) => {
    const type = getDeviceType(d.type);
    return rate + (type.telemetryIntervalS ? 1 / type.telemetryIntervalS : 0) + 1 / type.heartbeatIntervalS;
  }, 0);

  process.stdout.write(`fleet: ${devices.length} devices in ${manifest.homes.length} homes → Mosquitto on :${port}, live (1×)\n`);
  const t0 = Date.now();
  const fleet = await startFleet({ brokerUrl: `mqtt://127.0.0.1:${port}`, manifest, seed: 'bench', speed: 1 });
  try {
    let stats = await fleet.stats();
    while (stats.online < devices.length && Date.now() - t0 < 180_000) {
      await new Promise((r) => setTimeout(r, 1_000));
      stats = await fleet.stats();
      process.stdout.write(`\r  online ${stats.online}/${devices.length}`);
    }
    process.stdout.write(`\nall online after ${((Date.now() - t0) / 1000).toFixed(1)} s (${stats.processes} simulator process(es))\n`);
    const start = await fleet.stats();
    const tStart = Date.now();
    await new Promise((r) => setTimeout(r, o.seconds * 1_000));
    const end = await fleet.stats();
    const seconds = (Date.now() - tStart) / 1000;
    const achieved = (sent(end) - sent(start)) / seconds;
    process.stdout.write(
      [
        `window ${seconds.toFixed(0)} s: ${Math.round(achieved).toLocaleString('en')} msg/s acknowledged, nominal ${Math.round(nominal).toLocaleString('en')} msg/s (telemetry + heartbeats) → ${(achieved / nominal).toFixed(2)} of nominal`,
        `reconnects ${end.reconnects - start.reconnects}, dropped from flash ${end.droppedFromFlash}, pending ${end.pending}`,
        `simulator memory: RSS ${(end.rssBytes / 2 ** 20).toFixed(0)} MiB, ${(end.rssPerDeviceBytes / 1024).toFixed(1)} KiB per device (heap ${(end.heapUsedBytes / 2 ** 20).toFixed(0)} MiB)`,
      ].join('\n') + '\n',
    );
  } finally {
    await fleet.stop();
    broker.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
