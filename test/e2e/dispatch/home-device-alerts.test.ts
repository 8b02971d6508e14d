/**
 * Alerts of devices bound only to a home (smoke, gas, water detectors, door
 * contacts, PIR, fall radar: a homeId, no residentId) reach someone: the
 * home's primary resident, so a work order is opened and offered to the
 * provider that covers the home. An elder living alone whose smoke detector
 * goes silent is served like any other device alert.
 *
 * Through the real platform: the home and its resident are registered while
 * the platform runs (as a registry import would), a smoke detector is
 * provisioned for the home only, and a real MQTT client speaks the device
 * protocol (online status with a low battery, then a lost connection: the
 * broker publishes its last will).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import mqtt from 'mqtt';
import { topics } from '../../../devices/protocol.js';
import { AlertRepository } from '../../../src/alerting/alert.repository.js';
import type { Alert } from '../../../src/domain/alerts/alert.schema.js';
import type { Resident } from '../../../src/domain/residents/resident.js';
import { WorkOrderRepository } from '../../../src/dispatch/work-order.repository.js';
import { GeographyRepository } from '../../../src/registry/geography.repository.js';
import { ResidentRepository } from '../../../src/registry/resident.repository.js';
import { provisionOverApi, startTestPlatform, type TestPlatform } from '../../support/test-platform.js';
import { DEMO_CONFIG, eventually, LOGIN_PROVIDERS, login, residentsServedBy, TestConsole } from './dispatch.fixtures.js';

/** A home registered after start, next door to a demo resident the provider covers, with `residents` living in it. */
async function registerHome(platform: TestPlatform, neighbour: Resident, id: string, residents: readonly { id: string; displayName: string; registeredAt?: number }[]): Promise<string> {
  const geography = platform.get(GeographyRepository);
  const next = await geography.findHome(neighbour.homeId ?? '');
  if (!next) throw new Error(`demo resident ${neighbour.id} has no home`);
  await geography.insertAll({ districts: [], streets: [], communities: [], homes: [{ ...next, id, address: `${next.address}（对门）` }] });
  await platform.get(ResidentRepository).insertMany(
    residents.map((r) => ({
      id: r.id,
      displayName: r.displayName,
      phoneLast4: '2468',
      birthYear: 1938,
      gender: 'female' as const,
      capabilityLevel: 2 as const,
      livingSituation: residents.length > 1 ? ('couple' as const) : ('alone' as const),
      conditions: [],
      emergencyContacts: [{ relation: '儿子', name: '周建国', phone: '13800001111' }],
      communityCode: next.communityCode,
      homeId: id,
      createdAt: r.registeredAt ?? Date.now(),
    })),
  );
  return id;
}

/** A device of the home as firmware connects it: credentials, keepalive and last will (PROTOCOL.md §2). */
async function connectDevice(platform: TestPlatform, device: { deviceId: string; secret: string }): Promise<mqtt.MqttClient> {
  const client = mqtt.connect(platform.mqttUrl, {
    clientId: device.deviceId,
    username: device.deviceId,
    password: device.secret,
    keepalive: 60,
    reconnectPeriod: 0,
    will: { topic: topics.uplink(device.deviceId, 'status'), payload: Buffer.from('{"state":"offline"}'), qos: 1, retain: false },
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  return client;
}

describe('alerts of a device bound only to a home', () => {
  let platform: TestPlatform;
  let neighbour: Resident;
  let providerKey = '';
  const consoles: TestConsole[] = [];
  const clients: mqtt.MqttClient[] = [];

  beforeAll(async () => {
    platform = await startTestPlatform({ config: DEMO_CONFIG });
    for (const [key, [, providerId]] of Object.entries(LOGIN_PROVIDERS)) {
      const [first] = await residentsServedBy(platform, providerId, 'device_offline');
      if (first) {
        neighbour = first;
        providerKey = key;
        break;
      }
    }
  });

  afterAll(async () => {
    for (const c of consoles) c.disconnect();
    for (const c of clients) c.end(true);
    await platform.dispose();
  });

  const openAlert = (deviceId: string, kind: Alert['kind']) => async (): Promise<Alert | undefined> =>
    (await platform.get(AlertRepository).listOpen()).find((a) => a.deviceId === deviceId && a.kind === kind);

  it('gives a smoke detector\'s low battery and its going offline to the elder living alone, and offers both to the covering provider', async () => {
    expect(neighbour).toBeDefined();
    const [, providerId] = LOGIN_PROVIDERS[providerKey] ?? ['', ''];
    const dispatcher = new TestConsole(platform.httpUrl, await login(platform, `${providerKey}.dispatcher`));
    consoles.push(dispatcher);
    await dispatcher.connected();

    const homeId = await registerHome(platform, neighbour, 'h-e2e-alone', [{ id: 'r-e2e-alone', displayName: '周秀兰' }]);
    const detector = await provisionOverApi(platform, { type: 'smoke-detector', homeId, label: '厨房烟感' });
    const client = await connectDevice(platform, detector);
    clients.push(client);
    await client.publishAsync(topics.uplink(detector.deviceId, 'status'), JSON.stringify({ seq: 1, ts: Date.now(), state: 'online', firmware: 'sd-2.0.1', battery: 8, heartbeatS: 300 }), { qos: 1 });

    const lowBattery = await eventually(openAlert(detector.deviceId, 'low_battery'), 5_000);
    expect(lowBattery).toMatchObject({ residentId: 'r-e2e-alone', homeId, state: 'active' });

    client.stream.destroy(); // the detector loses power: no DISCONNECT, the broker publishes its last will
    const offline = await eventually(openAlert(detector.deviceId, 'device_offline'), 5_000);
    expect(offline).toMatchObject({ residentId: 'r-e2e-alone', homeId, state: 'active', severity: 'major', priority: 'P2' });

    const orders = platform.get(WorkOrderRepository);
    for (const alert of [lowBattery, offline]) {
      const [order] = await eventually(async () => ((await orders.byAlert(alert.id)).length > 0 ? orders.byAlert(alert.id) : undefined), 5_000);
      expect(order).toMatchObject({ residentId: 'r-e2e-alone', reason: alert.kind, state: 'offered' });
    }
    const offered = await eventually(() => {
      const kinds = dispatcher.offers.filter((o) => o.offer.resident.residentId === 'r-e2e-alone').map((o) => o.offer.alert.kind);
      return kinds.length >= 2 ? kinds.sort() : undefined;
    }, 5_000);
    expect(offered).toEqual(['device_offline', 'low_battery']);
    expect(dispatcher.offers.every((o) => o.offer.providerId === providerId)).toBe(true);
  });

  /** A home-bound detector installed in `homeId` that says it is online, then loses its connection (its last will follows). */
  const detectorThatDropsOff = async (homeId: string, type: string, label: string, battery: number): Promise<{ deviceId: string }> => {
    const detector = await provisionOverApi(platform, { type, homeId, label });
    const client = await connectDevice(platform, detector);
    clients.push(client);
    await client.publishAsync(topics.uplink(detector.deviceId, 'status'), JSON.stringify({ seq: 1, ts: Date.now(), state: 'online', battery, heartbeatS: 300 }), { qos: 1 });
    client.stream.destroy();
    return detector;
  };

  it('gives a couple\'s gas detector going offline to the home\'s primary resident only (registered first), once', async () => {
    const now = Date.now();
    const homeId = await registerHome(platform, neighbour, 'h-e2e-couple', [
      // Registered later, although its id sorts first: the primary resident is the one registered first.
      { id: 'r-e2e-couple-a', displayName: '吴国强', registeredAt: now + 1_000 },
      { id: 'r-e2e-couple-b', displayName: '吴桂芳', registeredAt: now },
    ]);
    const detector = await detectorThatDropsOff(homeId, 'gas-detector', '厨房燃气报警器', 90);

    const offline = await eventually(openAlert(detector.deviceId, 'device_offline'), 5_000);
    expect(offline).toMatchObject({ residentId: 'r-e2e-couple-b', homeId });
    const open = (await platform.get(AlertRepository).listOpen()).filter((a) => a.deviceId === detector.deviceId);
    expect(open).toHaveLength(1);
    await eventually(async () => ((await platform.get(WorkOrderRepository).byAlert(offline.id)).length === 1 ? true : undefined), 5_000);
  });

  /** anxin_dispatch_alerts_not_dispatched_total{reason="home_without_resident"} from /metrics. */
  const notDispatched = async (): Promise<number> => {
    const metrics = await (await platform.api('/metrics')).text();
    return Number(/anxin_dispatch_alerts_not_dispatched_total\{reason="home_without_resident"\} (\d+)/.exec(metrics)?.[1] ?? 0);
  };

  it('stores the alert of a home with no resident registered, opens no order, and counts it for the operator', async () => {
    const before = await notDispatched();
    const homeId = await registerHome(platform, neighbour, 'h-e2e-empty', []);
    const detector = await detectorThatDropsOff(homeId, 'smoke-detector', '客厅烟感', 95);

    const offline = await eventually(openAlert(detector.deviceId, 'device_offline'), 5_000);
    expect(offline).toMatchObject({ residentId: null, homeId, state: 'active' });
    expect(await eventually(async () => ((await notDispatched()) > before ? (await notDispatched()) - before : undefined), 5_000)).toBe(1);
    expect(await platform.get(WorkOrderRepository).byAlert(offline.id)).toEqual([]);
  });
});
