/**
 * Issue 11, acceptance 3 (second half): an SOS alert cannot be cleared by
 * any device message. Over real MQTT, the resident presses SOS, then the
 * home's devices send everything that could plausibly end it: the button's
 * "I'm OK" press (alone and in a batch), its status with an unknown "alarm
 * over" field, events the protocol does not have (`sos_cleared`, `cancel`)
 * and telemetry it does not send, its battery dying (last will) and coming
 * back online, the wearable's "I'm OK" and calm vital signs, the radar seeing
 * the resident standing, and the smoke detector's all-clear. The alert stays
 * active, critical and not downgraded throughout; the bus never hears it
 * cleared, downgraded or its condition ended; only a person's clear ends it,
 * and the audit trail records who.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import mqtt from 'mqtt';
import { topics } from '../../../devices/protocol.js';
import type { AlertChange } from '../../../src/domain/alerts/alert.schema.js';
import { AlertingService } from '../../../src/alerting/alerting.service.js';
import { DomainEventBus } from '../../../src/domain/events/event-bus.js';
import { provisionOverApi, startTestPlatform, type TestPlatform } from '../../support/test-platform.js';
import { eventually, seedResident } from './alerting.fixtures.js';

type Channel = 'telemetry' | 'event' | 'status' | 'batch';
type Device = 'button' | 'wearable' | 'radar' | 'smoke';

interface StoredAlert {
  readonly id: string;
  readonly kind: string;
  readonly state: string;
  readonly severity: string;
  readonly count: number;
  readonly downgraded: boolean;
  readonly conditionEndedAt: number | null;
  readonly clearedAt: number | null;
  readonly clearedBy: string | null;
  readonly clearNote: string | null;
}

describe('an SOS alert ends only by a person, never by a device message', () => {
  let platform: TestPlatform;
  const devices = {} as Record<Device, { deviceId: string; secret: string }>;
  const clients = {} as Partial<Record<Device, mqtt.MqttClient>>;
  const sosChanges: AlertChange[] = [];
  const presence: { type: 'online' | 'offline'; deviceId: string }[] = [];
  let seq = 100;
  let ts = Date.now() - 60_000;
  /** Each message a fresh seq and a later ts, as firmware numbers them. */
  const next = (): { seq: number; ts: number } => ({ seq: (seq += 1), ts: (ts += 1_000) });

  const connect = async (device: Device): Promise<mqtt.MqttClient> => {
    const { deviceId, secret } = devices[device];
    const client = await mqtt.connectAsync(platform.mqttUrl, {
      clientId: deviceId,
      username: deviceId,
      password: secret,
      reconnectPeriod: 0,
      will: { topic: topics.uplink(deviceId, 'status'), payload: Buffer.from('{"state":"offline"}'), qos: 1, retain: false },
    });
    clients[device] = client;
    return client;
  };
  /** Publishes at QoS 1 and waits for PUBACK: by then ingest has committed it and the rules have seen it. */
  const publish = async (device: Device, channel: Channel, body: Record<string, unknown>): Promise<void> => {
    const client = clients[device] ?? (await connect(device));
    await client.publishAsync(topics.uplink(devices[device].deviceId, channel), JSON.stringify(body), { qos: 1 });
  };
  const sosAlert = async (): Promise<StoredAlert | undefined> =>
    ((await (await platform.api('/api/alerts?residentId=r-alert-1&kind=sos')).json()) as { items: StoredAlert[] }).items[0];

  beforeAll(async () => {
    platform = await startTestPlatform();
    const resident = await seedResident(platform);
    devices.button = await provisionOverApi(platform, { type: 'sos-button', residentId: resident.id, label: '床头呼叫按钮' });
    devices.wearable = await provisionOverApi(platform, { type: 'wearable', residentId: resident.id, label: '手环' });
    devices.radar = await provisionOverApi(platform, { type: 'fall-radar', residentId: resident.id, label: '客厅雷达' });
    devices.smoke = await provisionOverApi(platform, { type: 'smoke-detector', residentId: resident.id, label: '厨房烟感' });
    const bus = platform.get(DomainEventBus);
    const record = (change: AlertChange) => {
      if (change.alert.kind === 'sos') sosChanges.push(change);
    };
    bus.subscribe('AlertRaised', record);
    bus.subscribe('AlertUpdated', record);
    bus.subscribe('AlertCleared', record);
    bus.subscribe('AlertDowngraded', record);
    bus.subscribe('DeviceWentOnline', (e) => presence.push({ type: 'online', deviceId: e.deviceId }));
    bus.subscribe('DeviceWentOffline', (e) => presence.push({ type: 'offline', deviceId: e.deviceId }));
  });

  afterAll(async () => {
    for (const c of Object.values(clients)) c?.end(true);
    await platform.dispose();
  });

  it('keeps the SOS active through every device message, then a person clears it', async () => {
    await publish('button', 'status', { ...next(), state: 'online', firmware: 'sb-1.2.0', heartbeatS: 300, battery: 91 });
    await publish('button', 'event', { ...next(), event: 'sos' });
    const raised = await eventually(sosAlert);
    expect(raised).toMatchObject({ state: 'active', severity: 'critical', count: 1 });

    // What the home's devices can say after the press. Accepted ones reach the rules; the rest are refused at ingest.
    const messages: [string, Device, Channel, Record<string, unknown>][] = [
      ['the button: "I\'m OK" pressed at once', 'button', 'event', { ...next(), event: 'im_ok' }],
      ['the button: "I\'m OK" pressed again', 'button', 'event', { ...next(), event: 'im_ok' }],
      ['the button: heartbeat with a vendor field saying the alarm is over', 'button', 'status', { ...next(), state: 'heartbeat', battery: 90, rssi: -75, sosActive: false }],
      ['the button: a buffered batch with "I\'m OK" and a heartbeat', 'button', 'batch', { items: [{ channel: 'event', ...next(), event: 'im_ok' }, { channel: 'status', ...next(), state: 'heartbeat', battery: 90 }] }],
      ['the button: an sos_cleared event (not in the protocol)', 'button', 'event', { ...next(), event: 'sos_cleared' }],
      ['the button: a cancel event (not in the protocol)', 'button', 'event', { ...next(), event: 'cancel' }],
      ['the button: telemetry (it has none)', 'button', 'telemetry', { ...next(), sos: false }],
      ['the wearable: "I\'m OK"', 'wearable', 'event', { ...next(), event: 'im_ok' }],
      ['the wearable: calm vital signs', 'wearable', 'telemetry', { ...next(), heartRate: 72, spo2: 98, skinTemp: 33.2, steps: 120 }],
      ['the wearable: online status', 'wearable', 'status', { ...next(), state: 'online', firmware: 'wb-1.9.0', heartbeatS: 300, battery: 80 }],
      ['the radar: the resident standing and moving', 'radar', 'telemetry', { ...next(), presence: true, posture: 'standing', zone: 'living_room', movement: 35 }],
      ['the smoke detector: all clear', 'smoke', 'event', { ...next(), event: 'smoke_cleared' }],
      ['the smoke detector: clean air', 'smoke', 'telemetry', { ...next(), smokeObscuration: 0 }],
    ];
    // After each PUBACK the rule engine has seen the message: the alert must still be active in its book.
    const activeInEngine = (): boolean => platform.get(AlertingService).activeAlerts().some((a) => a.id === raised?.id);
    for (const [what, device, channel, body] of messages) {
      await publish(device, channel, body);
      expect({ after: what, active: activeInEngine() }).toEqual({ after: what, active: true });
    }

    // The button's battery dies (no DISCONNECT: the broker sends its last will), then it comes back.
    clients.button?.stream.destroy();
    await eventually(() => presence.find((p) => p.type === 'offline' && p.deviceId === devices.button.deviceId), 5_000);
    delete clients.button;
    await connect('button');
    await eventually(() => presence.filter((p) => p.type === 'online' && p.deviceId === devices.button.deviceId).length >= 2 || undefined, 5_000);
    await publish('button', 'status', { ...next(), state: 'online', firmware: 'sb-1.2.0', heartbeatS: 300, battery: 88 });
    expect({ after: 'the button offline by last will, then online again', active: activeInEngine() }).toEqual({ after: 'the button offline by last will, then online again', active: true });

    // A last press: once its count is stored, every message before it has been through the rules and stored too.
    await publish('button', 'event', { ...next(), event: 'sos' });
    const after = await eventually(async () => {
      const a = await sosAlert();
      return a !== undefined && a.count === 2 ? a : undefined;
    });
    expect(after).toMatchObject({ id: raised?.id, state: 'active', severity: 'critical', downgraded: false, conditionEndedAt: null, clearedAt: null, clearedBy: null });
    // On the bus: raised, then only the second press. Never cleared, downgraded or ended.
    expect(sosChanges.map((c) => (c.type === 'AlertUpdated' ? `${c.type}:${c.reason}` : c.type))).toEqual(['AlertRaised', 'AlertUpdated:retriggered']);
    // The messages the protocol does not have were refused at ingest, by name, and never reached the rules.
    const rejected = ((await (await platform.api(`/api/devices/${devices.button.deviceId}/rejections`)).json()) as { items: { topic: string; reason: string; excerpt: string }[] }).items;
    expect(rejected.map((r) => ({ channel: r.topic.split('/').pop(), reason: r.reason })).sort((a, b) => String(a.channel).localeCompare(String(b.channel)))).toEqual([
      { channel: 'event', reason: 'schema' },
      { channel: 'event', reason: 'schema' },
      { channel: 'telemetry', reason: 'schema' },
    ]);

    // A person clears it.
    const cleared = await platform.api(`/api/alerts/${after.id}/clear`, { method: 'POST', headers: { 'x-anxin-actor': 'nurse-wang' }, body: JSON.stringify({ note: '上门查看，老人误按，身体无碍' }) });
    expect(cleared.status).toBe(200);
    expect(await cleared.json()).toMatchObject({ state: 'cleared', clearedBy: 'nurse-wang', clearNote: '上门查看，老人误按，身体无碍' });
    expect(sosChanges.at(-1)).toMatchObject({ type: 'AlertCleared', by: 'nurse-wang' });
    // The audit trail names who authenticated (the admin token), not the self-declared x-anxin-actor.
    const trail = ((await (await platform.api('/api/audit?action=alert.clear')).json()) as { items: unknown[] }).items;
    expect(trail).toEqual([expect.objectContaining({ actorName: 'admin-token', role: 'platform_admin', targetKind: 'alert', targetId: after.id, residentId: 'r-alert-1', detail: { kind: 'sos' } })]);
  });
});
