import { jest } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect as tcpConnect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { startFleet, type Fleet } from '../../../firmware-sim/fleet/fleet.js';
import { buildDemoManifest, withDemoSecrets } from '../../../firmware-sim/manifest/fleet-manifest.js';
import { writeMosquittoConfig } from '../../../firmware-sim/mosquitto/mosquitto-config.js';
import { BACKEND_PASSWORD, BACKEND_USER, BackendSubscriber, freePort, waitFor } from './broker-harness.js';

jest.setTimeout(60_000);

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

describe('simulated fleet against Debian Mosquitto with a generated config (broker-neutral protocol)', () => {
  const manifest = withDemoSecrets(buildDemoManifest(1, 'mosq'), 'mosquitto-demo-key');
  const devices = manifest.homes[0]!.devices;
  let dir: string;
  let port: number;
  let broker: ChildProcess | undefined;
  let backend: BackendSubscriber | undefined;
  let fleet: Fleet | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'anxin-mosquitto-'));
    port = await freePort();
    const files = await writeMosquittoConfig({ dir, port, manifest, backend: { username: BACKEND_USER, password: BACKEND_PASSWORD }, runAsUser: userInfo().username });
    broker = spawn('/usr/sbin/mosquitto', ['-c', files.config], { stdio: 'ignore' });
    await waitFor(() => portOpen(port), 10_000, 'mosquitto listening');
    const b = new BackendSubscriber(manifest);
    await b.connect(`mqtt://127.0.0.1:${port}`);
    backend = b;
  });

  const connected = (): BackendSubscriber => {
    if (!backend) throw new Error('backend not connected');
    return backend;
  };

  afterAll(async () => {
    await fleet?.stop();
    await backend?.close();
    broker?.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  });

  it('devices authenticate, publish valid messages under the ACL, answer a command and leave a last will', async () => {
    const backend = connected();
    fleet = await startFleet({ brokerUrl: `mqtt://127.0.0.1:${port}`, manifest, seed: 'mosq', speed: 30, startAt: Date.now() - 3_600_000, maxPublishPerS: 50 });
    const f = fleet;
    await waitFor(async () => (await f.stats()).online === devices.length, 10_000, 'all devices online');
    await waitFor(() => new Set(backend.received.map((m) => m.deviceId)).size === devices.length, 15_000, 'a message from every device');

    const bed = devices.find((d) => d.type === 'care-bed')!.deviceId;
    backend.publish(`anxin/v1/${bed}/cmd`, JSON.stringify({ cmdId: 'mq-1', ts: Date.now(), name: 'set_interval', args: { heartbeatS: 30 } }));
    await waitFor(() => backend.received.some((m) => m.payload['cmdId'] === 'mq-1'), 5_000, 'command reply');

    // The ACL: a device cannot write into another device's tree.
    const radar = devices.find((d) => d.type === 'fall-radar')!;
    const intruder = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: `${radar.deviceId}`, username: radar.deviceId, password: radar.secret!, reconnectPeriod: 0 });
    await intruder.publishAsync(`anxin/v1/${bed}/event`, JSON.stringify({ seq: 1, ts: Date.now(), event: 'bed_exit' }), { qos: 1 });
    await intruder.endAsync();
    // The intruder took over the radar's client id, so the radar was disconnected and reconnects with backoff.
    await new Promise((r) => setTimeout(r, 500));
    expect(backend.received.some((m) => m.deviceId === bed && m.seq === 1 && m.channel === 'event')).toBe(false);
    // The taken-over radar connection ended without DISCONNECT: its last will reached the backend.
    await waitFor(() => backend.wills.includes(radar.deviceId), 5_000, 'the radar\'s last will');
    await waitFor(async () => (await f.stats()).online === devices.length, 10_000, 'the radar back online');

    expect(await f.drain(15_000)).toBe(true);
    const stats = await f.stats();
    expect(backend.rejections).toEqual([]);
    await waitFor(() => backend.distinct >= stats.produced - stats.repliesLost, 10_000, 'every produced message');
    expect(backend.distinct).toBe(stats.produced - stats.repliesLost);
  });
});
