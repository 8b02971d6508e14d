/**
 * Issue 4, acceptance 3 (embedded side): the same simulated fleet as the
 * Mosquitto test, now through the platform's embedded broker, is stored in
 * InfluxDB message for message — the protocol works on either broker.
 * Devices connect with their demo credentials, publish status, telemetry and
 * events at 10× for a while, and drain; every message the fleet produced is
 * then in InfluxDB exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startFleet, type Fleet } from '../../../firmware-sim/fleet/fleet.js';
import type { FleetManifest } from '../../../firmware-sim/manifest/fleet-manifest.js';
import { DurableInbox } from '../../../src/ingest/durable-inbox.js';
import { startInfluxServer, type InfluxServer } from '../../support/influx-server.js';
import type { TestPlatform } from '../../support/test-platform.js';
import { countStoredMessages, fetchDemoManifest, firstDevices, startDemoPlatform, waitFor } from './simulation.fixtures.js';

const DEVICES = 100;
const DATABASE = 'sim_embedded';

describe('a simulated fleet through the embedded broker', () => {
  let influx: InfluxServer;
  let platform: TestPlatform;
  let manifest: FleetManifest;
  let fleet: Fleet | undefined;

  beforeAll(async () => {
    influx = await startInfluxServer();
    platform = await startDemoPlatform(20, { influx: { version: 1, url: influx.url, database: DATABASE } });
    manifest = firstDevices(await fetchDemoManifest(platform, 20), DEVICES);
  }, 120_000);

  afterAll(async () => {
    await fleet?.stop();
    await platform?.dispose();
    await influx?.dispose();
  });

  it(`stores every message of ${DEVICES} simulated devices exactly once`, async () => {
    const devices = manifest.homes.reduce((n, h) => n + h.devices.length, 0);
    expect(devices).toBe(DEVICES);
    fleet = await startFleet({ brokerUrl: platform.mqttUrl, manifest, seed: 'embedded', speed: 10, startAt: Date.now() - 3_600_000 });
    const f = fleet;
    await waitFor(async () => (await f.stats()).online === devices, 20_000, 'every device online');
    await new Promise((r) => setTimeout(r, 10_000));
    expect(await f.drain(60_000)).toBe(true);
    const after = await f.stats();
    const expected = after.produced - after.repliesLost;
    expect(expected).toBeGreaterThan(devices * 2);

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
    );
    expect({ devices: stored.size, messages: total() }).toEqual({ devices, messages: expected });
    const metrics = await (await platform.api('/metrics')).text();
    expect(metrics).not.toMatch(/^anxin_ingest_rejected_total\{reason="\w+"\} [1-9]/m);
  }, 180_000);
});
