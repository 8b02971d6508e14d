/**
 * Acceptance (spine #2, point 3): every invalid fixture of every device type,
 * and each kind of bad input, is rejected with its named reason and counted,
 * over real MQTT into the running platform; the broker and backend stay up.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import mqtt, { type MqttClient } from 'mqtt';
import { deviceCatalogue } from '../../../devices/catalogue.js';
import { encodeFixturePayload } from '../../../devices/device-fixtures.js';
import { DEVICE_TYPES, type DeviceType } from '../../../devices/device-type.js';
import { MAX_PACKET_BYTES, topics } from '../../../devices/protocol.js';
import { IngestService } from '../../../src/ingest/ingest.service.js';
import { provisionOverApi, startTestPlatform, type TestPlatform } from '../../support/test-platform.js';

let platform: TestPlatform;
const devices = new Map<DeviceType, { deviceId: string; secret: string }>();

beforeAll(async () => {
  // Generous rate limit: this test sends every fixture of a type in a burst.
  platform = await startTestPlatform({ config: { mqtt: { host: '127.0.0.1', port: 0, rateLimit: { perSecond: 1000, burst: 1000 } } } });
  for (const type of DEVICE_TYPES) devices.set(type, await provisionOverApi(platform, { type }));
}, 30_000);

afterAll(async () => {
  await platform?.dispose();
});

async function rejectedCounts(): Promise<Map<string, number>> {
  const text = await (await platform.api('/metrics')).text();
  const counts = new Map<string, number>();
  for (const m of text.matchAll(/^anxin_ingest_rejected_total\{reason="(\w+)"\} (\d+)/gm)) counts.set(m[1]!, Number(m[2]));
  return counts;
}

async function connect(deviceId: string, secret: string): Promise<MqttClient> {
  const client = mqtt.connect(platform.mqttUrl, { clientId: deviceId, username: deviceId, password: secret, reconnectPeriod: 0, connectTimeout: 5_000 });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  return client;
}

/** Resolves when the broker acknowledged (PUBACK) or closed the connection instead. */
function publish(client: MqttClient, topic: string, payload: string): Promise<'acked' | 'closed'> {
  return new Promise((resolve) => {
    client.once('close', () => resolve('closed'));
    client.publish(topic, payload, { qos: 1 }, (error) => resolve(error ? 'closed' : 'acked'));
  });
}

async function stillServing(): Promise<void> {
  expect((await fetch(`${platform.httpUrl}/healthz`)).status).toBe(200);
  const probe = devices.get('sos-button')!;
  const client = await connect(probe.deviceId, probe.secret);
  await client.endAsync();
}

describe.each(DEVICE_TYPES.map((t) => [t] as const))('%s', (type) => {
  it('rejects each invalid fixture with its named reason, counts it and keeps it for diagnosis', async () => {
    const { deviceId, secret } = devices.get(type)!;
    const fixtures = deviceCatalogue[type].fixtures.invalid;
    expect(fixtures.length).toBeGreaterThan(0);
    const before = await rejectedCounts();
    const expected = new Map<string, number>();
    let client = await connect(deviceId, secret);
    let refusedByBroker = 0;
    for (const fixture of fixtures) {
      const payload = encodeFixturePayload(fixture);
      // A packet over the broker's cap never reaches ingest: the broker refuses it and closes.
      const overPacketCap = Buffer.byteLength(payload) > MAX_PACKET_BYTES - 256;
      const outcome = await publish(client, topics.uplink(deviceId, fixture.channel), payload);
      if (overPacketCap) refusedByBroker++;
      else expected.set(fixture.reason, (expected.get(fixture.reason) ?? 0) + 1);
      const log = (await (await platform.api(`/api/devices/${deviceId}/rejections`)).json()) as { items: { reason: string; detail: string }[] };
      expect({ fixture: fixture.name, reason: log.items[0]?.reason }).toEqual({ fixture: fixture.name, reason: fixture.reason });
      expect(log.items[0]?.detail.length).toBeGreaterThan(0);
      // Content rejections are acknowledged (the device must not resend them forever).
      expect({ fixture: fixture.name, outcome }).toEqual({ fixture: fixture.name, outcome: overPacketCap ? 'closed' : 'acked' });
      if (outcome === 'closed') client = await connect(deviceId, secret);
    }
    await client.endAsync();
    const after = await rejectedCounts();
    expect(after.get('too_large')! - (before.get('too_large') ?? 0)).toBe(expected.get('too_large') ?? 0);
    if (refusedByBroker > 0) expect(await (await platform.api('/metrics')).text()).toMatch(/anxin_broker_refusals_total\{reason="packet_too_large"\} [1-9]/);
    for (const [reason, n] of expected) {
      expect({ reason, counted: (after.get(reason) ?? 0) - (before.get(reason) ?? 0) }).toEqual({ reason, counted: n });
    }
    await stillServing();
  }, 30_000);
});

describe('bad input that needs the server state', () => {
  it('rejects a device clock more than 5 minutes ahead as clock_skew and sends the device sync_time', async () => {
    const { deviceId, secret } = devices.get('pir-motion')!;
    const before = (await rejectedCounts()).get('clock_skew') ?? 0;
    const client = await connect(deviceId, secret);
    await client.subscribeAsync(topics.command(deviceId), { qos: 1 });
    const command = new Promise<{ name: string; args: { serverTs: number } }>((resolve) => client.once('message', (_t, p) => resolve(JSON.parse(p.toString()) as { name: string; args: { serverTs: number } })));
    expect(await publish(client, topics.uplink(deviceId, 'telemetry'), JSON.stringify({ seq: 1, ts: Date.now() + 3_600_000, motionCount: 2 }))).toBe('acked');
    const sync = await command;
    expect(sync.name).toBe('sync_time');
    expect(Math.abs(sync.args.serverTs - Date.now())).toBeLessThan(5_000);
    await client.endAsync();
    expect((await rejectedCounts()).get('clock_skew')).toBe(before + 1);
    await stillServing();
  });

  it('counts an oversized packet as refused by the broker (packet_too_large) and logs it as too_large', async () => {
    const { deviceId, secret } = devices.get('door-contact')!;
    const client = await connect(deviceId, secret);
    expect(await publish(client, topics.uplink(deviceId, 'telemetry'), JSON.stringify({ seq: 1, ts: Date.now(), open: false, pad: 'x'.repeat(300_000) }))).toBe('closed');
    const metrics = await (await platform.api('/metrics')).text();
    expect(metrics).toMatch(/anxin_broker_refusals_total\{reason="packet_too_large"\} [1-9]/);
    await stillServing();
  });

  it('refuses a burst beyond the per-device rate as too_fast', async () => {
    const limited = await startTestPlatform({ config: { mqtt: { host: '127.0.0.1', port: 0, rateLimit: { perSecond: 1, burst: 3 } } } });
    try {
      const { deviceId, secret } = await provisionOverApi(limited, { type: 'pir-motion' });
      const client = mqtt.connect(limited.mqttUrl, { clientId: deviceId, username: deviceId, password: secret, reconnectPeriod: 0 });
      await new Promise<void>((resolve) => client.once('connect', () => resolve()));
      const outcomes: string[] = [];
      for (let seq = 1; seq <= 6 && !client.disconnected; seq++) {
        outcomes.push(await new Promise<string>((resolve) => {
          client.once('close', () => resolve('closed'));
          client.publish(topics.uplink(deviceId, 'telemetry'), JSON.stringify({ seq, ts: Date.now(), motionCount: seq }), { qos: 1 }, (e) => resolve(e ? 'closed' : 'acked'));
        }));
        if (outcomes.at(-1) === 'closed') break;
      }
      client.end(true);
      expect(outcomes).toEqual(['acked', 'acked', 'acked', 'closed']);
      const log = (await (await limited.api(`/api/devices/${deviceId}/rejections`)).json()) as { items: { reason: string }[] };
      expect(log.items[0]?.reason).toBe('too_fast');
      expect(await (await limited.api('/metrics')).text()).toMatch(/anxin_broker_refusals_total\{reason="rate_limited"\} 1/);
    } finally {
      await limited.dispose();
    }
  });

  it('rejects a message from a device the registry does not know (external-broker path) as unknown_device', async () => {
    const ingest = platform.get(IngestService);
    const before = (await rejectedCounts()).get('unknown_device') ?? 0;
    await ingest.accept('bed-nobody', 'anxin/v1/bed-nobody/telemetry', Buffer.from('{}'), Date.now());
    await ingest.accept('bed-nobody', 'anxin/v1/bed-nobody/nonsense', Buffer.from('{}'), Date.now());
    const after = await rejectedCounts();
    expect(after.get('unknown_device')).toBe(before + 1);
    expect(after.get('bad_topic')).toBeGreaterThanOrEqual(1);
  });
});
