import { jest } from '@jest/globals';
import { startFleet, type Fleet } from '../../../firmware-sim/fleet/fleet.js';
import { buildDemoManifest, withDemoSecrets } from '../../../firmware-sim/manifest/fleet-manifest.js';
import { BackendSubscriber, freePort, RestartableBroker, waitFor } from './broker-harness.js';

/** Parameterisable: FLEET_OUTAGE_HOMES, FLEET_OUTAGE_MS, FLEET_OUTAGE_SPEED. */
const HOMES = Number(process.env['FLEET_OUTAGE_HOMES'] ?? 3);
const OUTAGE_MS = Number(process.env['FLEET_OUTAGE_MS'] ?? 3_000);
const SPEED = Number(process.env['FLEET_OUTAGE_SPEED'] ?? 60);
const DEMO_KEY = 'integration-demo-key';

jest.setTimeout(120_000);

describe('simulated fleet against an aedes broker that restarts', () => {
  const manifest = withDemoSecrets(buildDemoManifest(HOMES, 'outage'), DEMO_KEY);
  const devices = manifest.homes.reduce((n, h) => n + h.devices.length, 0);
  let broker: RestartableBroker;
  let backend: BackendSubscriber;
  let fleet: Fleet | undefined;

  beforeAll(async () => {
    broker = new RestartableBroker(await freePort(), DEMO_KEY);
    await broker.start();
    backend = new BackendSubscriber(manifest);
    await backend.connect(broker.url, { onLocalPort: (p) => broker.backendPorts.add(p) });
  });

  afterAll(async () => {
    await fleet?.stop();
    await backend.close();
    await broker.stop();
  });

  it('connects every device, publishes valid messages, answers a command, and delivers every buffered message exactly once after an outage', async () => {
    fleet = await startFleet({
      brokerUrl: broker.url,
      manifest,
      seed: 'outage',
      speed: SPEED,
      startAt: Date.now() - 6 * 3_600_000,
      backoff: { baseMs: 250, capMs: 2_000 },
      maxPublishPerS: 50,
    });
    const f = fleet;
    await waitFor(async () => (await f.stats()).online === devices, 15_000, 'all devices online');
    await waitFor(() => backend.received.some((m) => m.channel === 'telemetry'), 5_000, 'telemetry');

    const wearable = manifest.homes[0]!.devices.find((d) => d.type === 'wearable')!.deviceId;
    backend.publish(`anxin/v1/${wearable}/cmd`, JSON.stringify({ cmdId: 'it-locate-1', ts: Date.now(), name: 'locate' }));
    await waitFor(() => backend.received.some((m) => m.channel === 'cmd/reply' && m.payload['cmdId'] === 'it-locate-1'), 5_000, 'command reply');
    const reply = backend.received.find((m) => m.payload['cmdId'] === 'it-locate-1')!;
    expect(reply.payload['ok']).toBe(true);

    const before = await f.stats();
    await broker.stop();
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    const during = await f.stats();
    expect(during.online).toBe(0);
    expect(during.buffered).toBeGreaterThan(before.buffered);
    broker.acceptDevices = false;
    const subscribed = backend.subscriptions;
    await broker.start();
    await waitFor(() => backend.subscriptions > subscribed, 5_000, 'backend subscribed again');
    broker.acceptDevices = true;

    await waitFor(async () => (await f.stats()).online === devices, 20_000, 'all devices back online');
    expect(await f.drain(30_000)).toBe(true);
    const after = await f.stats();
    const expected = after.produced - after.repliesLost;
    await waitFor(() => backend.distinct >= expected, 15_000, `${expected} distinct messages (have ${backend.distinct})`);

    expect(backend.rejections).toEqual([]);
    expect(backend.distinct).toBe(expected);
    expect(after.droppedFromFlash).toBe(0);
    expect(after.uploaded).toBeGreaterThan(0);
    expect(after.reconnects).toBeGreaterThanOrEqual(devices);
    expect(backend.received.some((m) => m.buffered)).toBe(true);
    // Buffered items arrive oldest first within each device's batches.
    const bySeq = new Map<string, number>();
    for (const m of backend.received.filter((x) => x.buffered)) {
      const prev = bySeq.get(m.deviceId);
      if (prev !== undefined && m.seq < prev) throw new Error(`batch out of order for ${m.deviceId}: ${m.seq} after ${prev}`);
      bySeq.set(m.deviceId, m.seq);
    }
  });
});
