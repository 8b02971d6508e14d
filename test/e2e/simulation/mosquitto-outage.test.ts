/**
 * Issue 4, acceptance 2 and 3 (Mosquitto side): 100 simulated devices
 * publish through Debian's Mosquitto (generated passwords and device ACLs)
 * to the platform in external mode, which consumes over a shared
 * subscription into a throw-away InfluxDB. Mosquitto is stopped for 60 s
 * (SIM_OUTAGE_S shortens it while iterating); the devices buffer to flash,
 * reconnect with backoff when it returns on the same port, and upload their
 * backlog in batches. Every message the fleet produced is then in InfluxDB,
 * exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect as tcpConnect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../../../firmware-sim/fleet/fleet.js';
import { writeMosquittoConfig } from '../../../firmware-sim/mosquitto/mosquitto-config.js';
import type { FleetManifest } from '../../../firmware-sim/manifest/fleet-manifest.js';
import { DurableInbox } from '../../../src/ingest/durable-inbox.js';
import { findFreePort, startInfluxServer, type InfluxServer } from '../../support/influx-server.js';
import type { TestPlatform } from '../../support/test-platform.js';
import { countStoredMessages, fetchDemoManifest, firstDevices, startDemoPlatform, waitFor } from './simulation.fixtures.js';

const OUTAGE_S = Number(process.env['SIM_OUTAGE_S'] ?? 60);
const DEVICES = 100;
const DATABASE = 'sim_outage';
const BACKEND = { username: 'anxin-backend', password: 'backend-secret-0123' };

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = tcpConnect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

class MosquittoProcess {
  private child: ChildProcess | undefined;

  constructor(readonly config: string, readonly port: number) {}

  async start(): Promise<void> {
    this.child = spawn('/usr/sbin/mosquitto', ['-c', this.config], { stdio: 'ignore' });
    await waitFor(() => portOpen(this.port), 10_000, 'mosquitto listening');
  }

  /** SIGHUP: re-reads the password and ACL files. */
  reload(): void {
    this.child?.kill('SIGHUP');
  }

  /** SIGTERM (Mosquitto saves its persistence file), resolves once it exited. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
  }
}

describe('a simulated fleet through Debian Mosquitto, the platform in external mode, and a 60 s broker outage', () => {
  let dir: string;
  let mosquitto: MosquittoProcess;
  let influx: InfluxServer;
  let platform: TestPlatform;
  let manifest: FleetManifest;
  let fleet: Fleet | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'anxin-sim-mosquitto-'));
    const port = await findFreePort();
    const common = { dir, port, backend: BACKEND, runAsUser: userInfo().username, persistence: true } as const;
    // The backend account first: the platform must reach the broker to boot, and the manifest comes from the platform.
    const files = await writeMosquittoConfig({ ...common, manifest: { homes: [] } });
    mosquitto = new MosquittoProcess(files.config, port);
    await mosquitto.start();
    influx = await startInfluxServer();
    platform = await startDemoPlatform(20, {
      mqtt: { mode: 'external', url: `mqtt://127.0.0.1:${port}`, username: BACKEND.username, password: BACKEND.password, consumers: 1 },
      influx: { version: 1, url: influx.url, database: DATABASE },
    });
    manifest = firstDevices(await fetchDemoManifest(platform, 20), DEVICES);
    await writeMosquittoConfig({ ...common, manifest });
    mosquitto.reload();
    await new Promise((r) => setTimeout(r, 500));
  }, 120_000);

  afterAll(async () => {
    await fleet?.stop();
    await platform?.dispose();
    await mosquitto?.stop();
    await influx?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it(`stores every message of ${DEVICES} devices exactly once after Mosquitto was down for ${OUTAGE_S} s`, async () => {
    const devices = manifest.homes.reduce((n, h) => n + h.devices.length, 0);
    expect(devices).toBe(DEVICES);
    // 10× from an hour ago: about 1,000 messages a second from 100 devices, devices' own clocks stay in the past.
    fleet = await startFleet({ brokerUrl: `mqtt://127.0.0.1:${mosquitto.port}`, manifest, seed: 'outage', speed: 10, startAt: Date.now() - 3_600_000, backoff: { baseMs: 500, capMs: 5_000 } });
    const f = fleet;
    await waitFor(async () => (await f.stats()).online === devices, 20_000, 'every device online');
    await new Promise((r) => setTimeout(r, 5_000));

    const before = await f.stats();
    await mosquitto.stop();
    await new Promise((r) => setTimeout(r, OUTAGE_S * 1_000));
    const during = await f.stats();
    expect(during.online).toBe(0);
    // About 0.4 messages per device per simulated-10× second (mostly the care bed and radar at 10 s).
    expect(during.buffered - before.buffered).toBeGreaterThan(devices * OUTAGE_S * 0.2);

    await mosquitto.start();
    await waitFor(async () => (await f.stats()).online === devices, 30_000, 'every device back online');
    expect(await f.drain(60_000)).toBe(true);
    const after = await f.stats();
    expect(after.droppedFromFlash).toBe(0);
    expect(after.uploaded).toBeGreaterThan(during.buffered - before.buffered);
    const expected = after.produced - after.repliesLost;

    const inbox = platform.get(DurableInbox);
    let stored = new Map<string, number>();
    const total = (): number => [...stored.values()].reduce((a, b) => a + b, 0);
    await waitFor(
      async () => {
        stored = await countStoredMessages(influx, DATABASE);
        return inbox.backlog() === 0 && total() >= expected;
      },
      60_000,
      () => `${expected} messages in InfluxDB (have ${total()} from ${stored.size} devices, inbox backlog ${inbox.backlog()})`,
    ).catch(async (error: unknown) => {
      const metrics = (await (await platform.api('/metrics')).text()).split('\n').filter((l) => /anxin_(ingest|telemetry|forward|inbox)/.test(l) && !l.startsWith('#'));
      throw new Error(`${String(error)}\n${metrics.join('\n')}`);
    });
    expect({ devices: stored.size, messages: total() }).toEqual({ devices, messages: expected });
  }, (OUTAGE_S + 240) * 1_000);
});
