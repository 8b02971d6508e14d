/**
 * Devices go offline by last will or by missed heartbeats, whichever comes
 * first, and every online/offline transition becomes a domain event.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import mqtt from 'mqtt';
import { topics } from '../../../devices/protocol.js';
import { DeviceStateService } from '../../../src/device-state/device-state.service.js';
import type { DeviceWentOffline, DeviceWentOnline } from '../../../src/domain/events/domain-events.js';
import { DomainEventBus } from '../../../src/domain/events/event-bus.js';
import { provisionOverApi, startTestPlatform, type TestPlatform } from '../../support/test-platform.js';

let platform: TestPlatform;
const online: DeviceWentOnline[] = [];
const offline: DeviceWentOffline[] = [];

beforeAll(async () => {
  platform = await startTestPlatform();
  const bus = platform.get(DomainEventBus);
  bus.subscribe('DeviceWentOnline', (e) => online.push(e));
  bus.subscribe('DeviceWentOffline', (e) => offline.push(e));
});

afterAll(async () => {
  await platform?.dispose();
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(condition()).toBe(true);
}

function connectWithWill(deviceId: string, secret: string): Promise<mqtt.MqttClient> {
  const client = mqtt.connect(platform.mqttUrl, {
    clientId: deviceId,
    username: deviceId,
    password: secret,
    reconnectPeriod: 0,
    will: { topic: topics.uplink(deviceId, 'status'), payload: Buffer.from('{"state":"offline"}'), qos: 1, retain: false },
  });
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('error', reject);
  });
}

it('publishes DeviceWentOnline at connect and DeviceWentOffline(last_will) when the connection drops without DISCONNECT', async () => {
  const { deviceId, secret } = await provisionOverApi(platform, { type: 'wearable' });
  const client = await connectWithWill(deviceId, secret);
  await waitFor(() => online.some((e) => e.deviceId === deviceId));
  client.stream.destroy(); // the battery dies: no DISCONNECT, the broker publishes the will
  await waitFor(() => offline.some((e) => e.deviceId === deviceId));
  expect(offline.find((e) => e.deviceId === deviceId)).toMatchObject({ deviceId, deviceType: 'wearable', reason: 'last_will' });
  client.end(true);
});

it('publishes DeviceWentOffline(missed_heartbeats) for a device that stays connected but silent past three heartbeat intervals', async () => {
  const { deviceId, secret } = await provisionOverApi(platform, { type: 'care-bed' });
  const client = await connectWithWill(deviceId, secret);
  await client.publishAsync(topics.uplink(deviceId, 'status'), JSON.stringify({ seq: 1, ts: Date.now(), state: 'online', firmware: '2.1.0', heartbeatS: 60 }), { qos: 1 });
  const states = platform.get(DeviceStateService);
  await waitFor(() => states.get(deviceId)?.firmware === '2.1.0');
  states.sweep(Date.now() + 2 * 60_000); // two intervals late: still online
  expect(offline.some((e) => e.deviceId === deviceId)).toBe(false);
  states.sweep(Date.now() + 4 * 60_000); // past three
  expect(offline.find((e) => e.deviceId === deviceId)).toMatchObject({ reason: 'missed_heartbeats' });
  expect(states.get(deviceId)?.online).toBe(false);
  // Any message brings it back.
  await client.publishAsync(topics.uplink(deviceId, 'status'), JSON.stringify({ seq: 2, ts: Date.now(), state: 'heartbeat' }), { qos: 1 });
  expect(online.filter((e) => e.deviceId === deviceId)).toHaveLength(2);
  await client.endAsync();
});

it('keeps a device that sent a clean DISCONNECT online through its heartbeat grace, then publishes DeviceWentOffline(disconnected) (PROTOCOL.md §2, §6)', async () => {
  const { deviceId, secret } = await provisionOverApi(platform, { type: 'smoke-detector' });
  const client = await connectWithWill(deviceId, secret);
  await client.publishAsync(topics.uplink(deviceId, 'status'), JSON.stringify({ seq: 1, ts: Date.now(), state: 'online', battery: 90, heartbeatS: 300 }), { qos: 1 });
  const states = platform.get(DeviceStateService);
  await waitFor(() => states.get(deviceId)?.battery === 90);
  const connected = async (): Promise<number> => Number(/^anxin_broker_connected_devices (\d+)/m.exec(await (await platform.api('/metrics')).text())?.[1]);
  const before = await connected();
  await client.endAsync(); // a reboot, or the fleet stopping: DISCONNECT, so no will
  for (let i = 0; i < 250 && (await connected()) >= before; i++) await new Promise((r) => setTimeout(r, 20)); // the broker has seen it
  states.sweep(Date.now() + 10 * 60_000); // two intervals later: still online
  expect([offline.some((e) => e.deviceId === deviceId), states.get(deviceId)?.online]).toEqual([false, true]);
  states.sweep(Date.now() + 16 * 60_000); // past three
  expect(offline.find((e) => e.deviceId === deviceId)).toMatchObject({ reason: 'disconnected' });
});

it('holds a smoke detector that announces a day-long heartbeat to its type\'s 15-minute maximum: offline after 3 × 15 min of silence, counted and shown on its record', async () => {
  const { deviceId, secret } = await provisionOverApi(platform, { type: 'smoke-detector' });
  const client = await connectWithWill(deviceId, secret);
  await client.publishAsync(topics.uplink(deviceId, 'status'), JSON.stringify({ seq: 1, ts: Date.now(), state: 'online', battery: 80, heartbeatS: 86_400 }), { qos: 1 });
  const states = platform.get(DeviceStateService);
  await waitFor(() => states.get(deviceId)?.battery === 80);
  states.sweep(Date.now() + 40 * 60_000); // under 3 × 15 min: still online
  expect(offline.some((e) => e.deviceId === deviceId)).toBe(false);
  states.sweep(Date.now() + 46 * 60_000); // past 3 × 15 min, though far short of 3 days
  expect(offline.find((e) => e.deviceId === deviceId)).toMatchObject({ reason: 'missed_heartbeats' });

  const record = (await (await platform.api(`/api/devices/${deviceId}`)).json()) as { state: { announcedHeartbeatS: number | null } };
  expect(record.state.announcedHeartbeatS).toBe(86_400);
  const metrics = await (await platform.api('/metrics')).text();
  expect(metrics).toMatch(/anxin_devices_heartbeat_above_max_total\{deviceType="smoke-detector"\} 1/);

  // Reconfigured within bounds: the flag goes.
  await client.publishAsync(topics.uplink(deviceId, 'status'), JSON.stringify({ seq: 2, ts: Date.now(), state: 'online', heartbeatS: 300 }), { qos: 1 });
  await waitFor(() => states.get(deviceId)?.announcedHeartbeatS === null);
  await client.endAsync();
});
