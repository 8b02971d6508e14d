/**
 * The embedded broker over real MQTT connections: mqtt.js clients (and
 * mosquitto_pub) against a listening MqttBroker on an ephemeral port.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import type { MqttClient } from 'mqtt';
import type { BrokerRefusalReason } from '../../../src/domain/broker-acl/device-acl.js';
import {
  closed,
  connectDevice,
  deviceOptions,
  eventually,
  sleep,
  startTestBroker,
  telemetry,
  tryConnect,
  type ConnectOutcome,
  type TestBroker,
} from './broker.fixtures.js';

jest.setTimeout(15_000);

const OWN_WILL = { topic: 'anxin/v1/bed-000001/status', payload: Buffer.from('{"state":"offline"}'), qos: 1 as const, retain: false };

let tb: TestBroker;
const clients: MqttClient[] = [];
const track = <T extends ConnectOutcome>(result: T): T => {
  if (result.outcome === 'connected') clients.push(result.client);
  return result;
};
const device = async (...args: Parameters<typeof connectDevice>): Promise<MqttClient> => {
  const client = await connectDevice(...args);
  clients.push(client);
  return client;
};

async function startWith(overrides: Parameters<typeof startTestBroker>[0] = {}): Promise<void> {
  await tb.broker.close();
  tb = await startTestBroker(overrides);
}

beforeEach(async () => {
  tb = await startTestBroker();
});

afterEach(async () => {
  // Whatever the case did, the broker still accepts a well-behaved device.
  const probe = await tryConnect(tb.url, deviceOptions('radar-000001'));
  for (const client of clients.splice(0)) client.end(true);
  if (probe.outcome === 'connected') probe.client.end(true);
  await tb.broker.close();
  expect(probe.outcome).toBe('connected');
});

describe('MqttBroker: connecting', () => {
  it('accepts a device whose client id and username are its id and whose secret matches', async () => {
    const client = await device(tb.url, 'bed-000001');
    await eventually(async () => (await tb.connectedGauge()) === 1 && tb.sink.transitions.length === 1);
    expect([client.connected, tb.broker.isConnected('bed-000001'), tb.broker.connectedCount(), tb.sink.presenceLog()]).toEqual([true, true, 1, ['bed-000001 online']]);
  });

  it.each<[string, Parameters<typeof deviceOptions>[1], number, BrokerRefusalReason]>([
    ['a wrong secret', { password: 'wrong' }, 4, 'bad_credentials'],
    ['an unknown device (same code as a wrong secret)', { username: 'bed-999999', clientId: 'bed-999999' }, 4, 'unknown_device'],
    ['a client id other than the username', { clientId: 'bed-000001-x' }, 2, 'client_id_mismatch'],
    ['a will aimed at another device\'s status topic', { will: { ...OWN_WILL, topic: 'anxin/v1/bed-000002/status' } }, 5, 'will_denied'],
    ['a will aimed at another device\'s command topic', { will: { ...OWN_WILL, topic: 'anxin/v1/bed-000002/cmd' } }, 5, 'will_denied'],
  ])('refuses %s (%j) with CONNACK %i and counts %s', async (_name, overrides, code, reason) => {
    const result = track(await tryConnect(tb.url, deviceOptions('bed-000001', overrides)));
    expect(result).toEqual({ outcome: 'refused', code });
    expect(await tb.refusalCount(reason)).toBe(1);
  });

  it('refuses a device that sends no secret with CONNACK 4', async () => {
    const result = track(await tryConnect(tb.url, { clientId: 'bed-000001', username: 'bed-000001' }));
    expect([result, await tb.refusalCount('bad_credentials')]).toEqual([{ outcome: 'refused', code: 4 }, 1]);
  });

  it('refuses a disabled device with CONNACK 5 even with the right secret', async () => {
    const result = track(await tryConnect(tb.url, deviceOptions('sos-000009')));
    expect([result, await tb.refusalCount('device_disabled')]).toEqual([{ outcome: 'refused', code: 5 }, 1]);
  });

  it('refuses device B taking over device A\'s client id with B\'s own secret, and A stays connected', async () => {
    const a = await device(tb.url, 'bed-000001');
    const takeover = track(await tryConnect(tb.url, deviceOptions('bed-000002', { clientId: 'bed-000001' })));
    await sleep(100);
    await a.publishAsync('anxin/v1/bed-000001/telemetry', telemetry(1), { qos: 1 });
    expect([takeover, a.connected, await tb.refusalCount('client_id_mismatch')]).toEqual([{ outcome: 'refused', code: 2 }, true, 1]);
    expect(tb.sink.accepted.map((m) => m.deviceId)).toEqual(['bed-000001']);
  });

  it('lets a device replace its own stale connection without flapping offline', async () => {
    const first = await device(tb.url, 'bed-000001', { will: OWN_WILL });
    const firstClosed = closed(first);
    await device(tb.url, 'bed-000001', { will: OWN_WILL });
    await firstClosed;
    await sleep(100);
    expect([tb.sink.presenceLog(), tb.broker.isConnected('bed-000001')]).toEqual([['bed-000001 online'], true]);
  });

  it('locks a device id out from the address that sent repeated wrong secrets, even with the right one, until the lockout passes', async () => {
    await startWith({ loginThrottle: { deviceAddress: { maxFailures: 3, lockoutMs: 300 } } });
    const wrong: ConnectOutcome[] = [];
    for (let i = 0; i < 3; i++) wrong.push(track(await tryConnect(tb.url, deviceOptions('bed-000001', { password: 'guess' }))));
    const duringLockout = track(await tryConnect(tb.url, deviceOptions('bed-000001')));
    const otherDevice = track(await tryConnect(tb.url, deviceOptions('bed-000002')));
    await sleep(350);
    const afterLockout = track(await tryConnect(tb.url, deviceOptions('bed-000001')));
    expect({
      wrong: wrong.map((r) => r.outcome === 'refused' && r.code),
      duringLockout,
      otherDevice: otherDevice.outcome,
      afterLockout: afterLockout.outcome,
      throttled: await tb.refusalCount('login_throttled'),
      badCredentials: await tb.refusalCount('bad_credentials'),
    }).toEqual({ wrong: [4, 4, 4], duringLockout: { outcome: 'refused', code: 5 }, otherDevice: 'connected', afterLockout: 'connected', throttled: 1, badCredentials: 3 });
  });

  it('drops every connection from an address that keeps failing logins, without a CONNACK, until the lockout passes', async () => {
    await startWith({ loginThrottle: { address: { maxFailures: 3, lockoutMs: 300 } } });
    for (const id of ['bed-777771', 'bed-777772', 'bed-777773']) track(await tryConnect(tb.url, { clientId: id, username: id, password: 'x' }));
    const duringLockout = track(await tryConnect(tb.url, deviceOptions('bed-000002')));
    await sleep(350);
    // The afterEach probe shows the address is let in again.
    expect([duringLockout, await tb.refusalCount('unknown_device'), await tb.refusalCount('login_throttled')]).toEqual([{ outcome: 'closed' }, 3, 1]);
  });
});

describe('MqttBroker: publishing', () => {
  it('hands an accepted QoS 1 publish to the sink before the device gets its PUBACK', async () => {
    const client = await device(tb.url, 'bed-000001');
    client.on('packetreceive', (packet) => {
      if (packet.cmd === 'puback') tb.sink.log.push('client:puback');
    });
    tb.sink.mode = 'hold';
    const published = client.publishAsync('anxin/v1/bed-000001/telemetry', telemetry(1), { qos: 1 });
    await eventually(() => tb.sink.heldCount === 1);
    await sleep(100);
    const beforeRelease = [...tb.sink.log];
    tb.sink.release();
    await published;
    expect({ beforeRelease, after: tb.sink.log }).toEqual({
      beforeRelease: [],
      after: ['sink:stored anxin/v1/bed-000001/telemetry', 'client:puback'],
    });
    expect(tb.sink.accepted).toEqual([{ deviceId: 'bed-000001', topic: 'anxin/v1/bed-000001/telemetry', payload: telemetry(1) }]);
  });

  it.each(['telemetry', 'event', 'status', 'batch', 'cmd/reply'])('accepts a publish to the device\'s own %s topic', async (channel) => {
    const client = await device(tb.url, 'bed-000001');
    await client.publishAsync(`anxin/v1/bed-000001/${channel}`, telemetry(1), { qos: 1 });
    expect(tb.sink.accepted.map((m) => m.topic)).toEqual([`anxin/v1/bed-000001/${channel}`]);
  });

  it('withholds the PUBACK when the sink cannot store, and the device\'s resend after reconnecting is stored', async () => {
    tb.sink.mode = 'fail';
    const client = await device(tb.url, 'bed-000001', { reconnectPeriod: 200, clean: true });
    let pubacks = 0;
    client.on('packetreceive', (packet) => {
      if (packet.cmd === 'puback') pubacks += 1;
    });
    const published = client.publishAsync('anxin/v1/bed-000001/telemetry', telemetry(7), { qos: 1 });
    await closed(client);
    const pubacksWhileFailing = pubacks;
    tb.sink.mode = 'store';
    await published;
    expect({
      pubacksWhileFailing,
      attempts: tb.sink.rejectedAttempts.map((m) => m.payload),
      stored: tb.sink.accepted.map((m) => m.payload),
      pubacks,
    }).toEqual({ pubacksWhileFailing: 0, attempts: [telemetry(7)], stored: [telemetry(7)], pubacks: 1 });
  });

  it.each<[string, string]>([
    ['another device\'s telemetry', 'anxin/v1/bed-000002/telemetry'],
    ['its own command topic', 'anxin/v1/bed-000001/cmd'],
    ['$SYS', '$SYS/anything'],
  ])('refuses a publish to %s: no PUBACK, the broker closes the connection, and it is counted', async (_name, topic) => {
    const client = await device(tb.url, 'bed-000001');
    let pubacks = 0;
    client.on('packetreceive', (packet) => {
      if (packet.cmd === 'puback') pubacks += 1;
    });
    client.publish(topic, telemetry(1), { qos: 1 });
    await closed(client);
    expect({ pubacks, connected: client.connected, stored: tb.sink.accepted, counted: await tb.refusalCount('publish_denied') }).toEqual({
      pubacks: 0,
      connected: false,
      stored: [],
      counted: 1,
    });
    expect(tb.sink.refusals).toEqual([{ deviceId: 'bed-000001', topic, reason: 'publish_denied' }]);
  });

  it('refuses a packet larger than the limit before reading it, closes the connection and counts it', async () => {
    await startWith({ maxPacketBytes: 1024 });
    const client = await device(tb.url, 'bed-000001');
    client.publish('anxin/v1/bed-000001/batch', Buffer.alloc(2048, 0x61), { qos: 1 });
    await closed(client);
    // Nothing reached the sink's diagnosis log: the body was never read.
    expect([tb.sink.accepted, tb.sink.refusals, await tb.refusalCount('packet_too_large')]).toEqual([[], [], 1]);
  });

  it('accepts a packet just under the limit', async () => {
    await startWith({ maxPacketBytes: 1024 });
    const client = await device(tb.url, 'bed-000001');
    await client.publishAsync('anxin/v1/bed-000001/batch', Buffer.alloc(900, 0x61), { qos: 1 });
    expect(tb.sink.accepted).toHaveLength(1);
  });

  it('refuses a burst beyond the rate limit with rate_limited and closes the connection', async () => {
    await startWith({ rateLimit: { perSecond: 1, burst: 5 } });
    const client = await device(tb.url, 'bed-000001');
    for (let seq = 1; seq <= 8; seq++) client.publish('anxin/v1/bed-000001/telemetry', telemetry(seq), { qos: 0 });
    await closed(client);
    expect([tb.sink.accepted.length, await tb.refusalCount('rate_limited')]).toEqual([5, 1]);
  });

  it('lets a default-configured device upload a 200-message batch backlog at once', async () => {
    const client = await device(tb.url, 'bed-000001');
    await Promise.all(Array.from({ length: 200 }, (_, seq) => client.publishAsync('anxin/v1/bed-000001/telemetry', telemetry(seq), { qos: 1 })));
    expect([tb.sink.accepted.length, client.connected, await tb.refusalCount('rate_limited')]).toEqual([200, true, 0]);
  });
});

/** The granted QoS list of the SUBACK (mqtt.js rejects on a failure code, carrying the packet). */
async function subscribeGranted(client: MqttClient, filter: string): Promise<number[]> {
  try {
    return (await client.subscribeAsync(filter, { qos: 1 })).map((g) => g.qos);
  } catch (error) {
    const packet = (error as { packet?: { granted?: number[] } }).packet;
    if (packet?.granted === undefined) throw error;
    return packet.granted;
  }
}

describe('MqttBroker: subscribing and commands', () => {
  it.each<[string, string]>([
    ['everything', '#'],
    ['$SYS', '$SYS/#'],
    ['another device\'s commands', 'anxin/v1/bed-000002/cmd'],
    ['every device\'s commands', 'anxin/v1/+/cmd'],
    ['a shared subscription', '$share/g/anxin/v1/bed-000001/cmd'],
  ])('refuses a subscription to %s with granted 128, keeps the connection and counts it', async (_name, filter) => {
    const client = await device(tb.url, 'bed-000001');
    const granted = await subscribeGranted(client, filter);
    await client.publishAsync('anxin/v1/bed-000001/telemetry', telemetry(1), { qos: 1 });
    expect([granted, client.connected, await tb.refusalCount('subscribe_denied')]).toEqual([[128], true, 1]);
  });

  it('grants the device\'s own command topic and delivers a command published by the backend', async () => {
    const client = await device(tb.url, 'bed-000001');
    const granted = await client.subscribeAsync('anxin/v1/bed-000001/cmd', { qos: 1 });
    const received = new Promise<string>((resolve) => client.once('message', (topic, payload) => resolve(`${topic} ${payload.toString()}`)));
    const command = { cmdId: 'c-1', ts: 1_773_532_800_000, name: 'locate' as const };
    await tb.broker.publishCommand('bed-000001', command);
    expect([granted.map((g) => g.qos), await received]).toEqual([[1], `anxin/v1/bed-000001/cmd ${JSON.stringify(command)}`]);
  });

  it('does not deliver one device\'s command to another device', async () => {
    const other = await device(tb.url, 'bed-000002');
    await other.subscribeAsync('anxin/v1/bed-000002/cmd', { qos: 1 });
    const messages: string[] = [];
    other.on('message', (topic) => messages.push(topic));
    await tb.broker.publishCommand('bed-000001', { cmdId: 'c-2', ts: 1_773_532_800_000, name: 'reboot' });
    await sleep(100);
    expect(messages).toEqual([]);
  });
});

describe('MqttBroker: presence', () => {
  it('a lost connection publishes the will: offline at once with reason last_will', async () => {
    const client = await device(tb.url, 'bed-000001', { will: OWN_WILL });
    client.stream.destroy();
    await eventually(() => tb.sink.transitions.length === 2);
    await eventually(async () => (await tb.connectedGauge()) === 0);
    expect(tb.sink.presenceLog()).toEqual(['bed-000001 online', 'bed-000001 offline:last_will']);
  });

  it('a clean disconnect is reported but is not offline: the device keeps its heartbeat grace, then is offline with reason disconnected (PROTOCOL.md §2, §6)', async () => {
    const client = await device(tb.url, 'bed-000001', { will: OWN_WILL });
    await client.endAsync();
    await eventually(() => tb.sink.disconnects.length === 1);
    await eventually(async () => (await tb.connectedGauge()) === 0);
    await sleep(60); // sweeps within the grace change nothing
    expect([tb.sink.disconnects, tb.sink.presenceLog()]).toEqual([['bed-000001'], ['bed-000001 online']]);
    tb.advanceClock(3 * 60_000 + 1_000); // three default heartbeat intervals of silence
    await eventually(() => tb.sink.transitions.length === 2);
    expect(tb.sink.presenceLog()).toEqual(['bed-000001 online', 'bed-000001 offline:disconnected']);
  });

  it('a refused publish ends the connection like a lost one: offline by last will', async () => {
    const client = await device(tb.url, 'bed-000001', { will: OWN_WILL });
    client.publish('anxin/v1/bed-000002/telemetry', telemetry(1), { qos: 1 });
    await eventually(() => tb.sink.transitions.length === 2);
    expect(tb.sink.presenceLog()).toEqual(['bed-000001 online', 'bed-000001 offline:last_will']);
  });

  it('offlines a connected device that misses three announced heartbeats, once, and brings it back on its next message', async () => {
    const client = await device(tb.url, 'bed-000001', { will: OWN_WILL });
    await client.publishAsync('anxin/v1/bed-000001/status', JSON.stringify({ seq: 1, ts: 1_773_532_800_000, state: 'heartbeat', heartbeatS: 10 }), { qos: 1 });
    tb.advanceClock(31_000);
    await eventually(() => tb.sink.transitions.length === 2);
    await sleep(60); // further sweeps change nothing
    await client.publishAsync('anxin/v1/bed-000001/telemetry', telemetry(2), { qos: 1 });
    client.stream.destroy(); // its will now finds it online again
    await eventually(() => tb.sink.transitions.length === 4);
    expect(tb.sink.presenceLog()).toEqual(['bed-000001 online', 'bed-000001 offline:missed_heartbeats', 'bed-000001 online', 'bed-000001 offline:last_will']);
  });
});

describe('MqttBroker: other clients and transports', () => {
  const mosquittoPub = (port: number, args: string[]): Promise<number> =>
    new Promise((resolve) => {
      execFile('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(port), '-q', '1', ...args], { timeout: 5_000 }, (error) => {
        resolve(error === null ? 0 : typeof error.code === 'number' ? error.code : -1);
      });
    });

  it('accepts a QoS 1 publish from mosquitto_pub with the device\'s credentials', async () => {
    const exit = await mosquittoPub(tb.port, ['-i', 'bed-000003', '-u', 'bed-000003', '-P', 'secret-bed-3', '-t', 'anxin/v1/bed-000003/event', '-m', '{"seq":1}']);
    expect([exit, tb.sink.accepted]).toEqual([0, [{ deviceId: 'bed-000003', topic: 'anxin/v1/bed-000003/event', payload: '{"seq":1}' }]]);
  });

  it('refuses mosquitto_pub with a wrong secret and counts it', async () => {
    const exit = await mosquittoPub(tb.port, ['-i', 'bed-000003', '-u', 'bed-000003', '-P', 'nope', '-t', 'anxin/v1/bed-000003/event', '-m', '{}']);
    expect([exit === 0, tb.sink.accepted, await tb.refusalCount('bad_credentials')]).toEqual([false, [], 1]);
  });

  it('speaks MQTT over TLS with the configured key and certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anxin-broker-tls-'));
    const keyPath = join(dir, 'key.pem');
    const certPath = join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
    await startWith({ tls: { port: 0, keyPath, certPath } });
    const client = await device(`mqtts://127.0.0.1:${tb.broker.addresses().tls ?? 0}`, 'bed-000001', { ca: readFileSync(certPath), rejectUnauthorized: false });
    await client.publishAsync('anxin/v1/bed-000001/telemetry', telemetry(1), { qos: 1 });
    rmSync(dir, { recursive: true, force: true });
    expect(tb.sink.accepted.map((m) => m.topic)).toEqual(['anxin/v1/bed-000001/telemetry']);
  });

  it('speaks MQTT over WebSocket on the configured path, with the same rules', async () => {
    await startWith({ websocket: { port: 0, path: '/mqtt' } });
    const wsUrl = `ws://127.0.0.1:${tb.broker.addresses().websocket ?? 0}/mqtt`;
    const client = await device(wsUrl, 'bed-000001');
    await client.publishAsync('anxin/v1/bed-000001/telemetry', telemetry(1), { qos: 1 });
    const refused = track(await tryConnect(wsUrl, deviceOptions('bed-000002', { password: 'wrong' })));
    expect([tb.sink.accepted.length, refused]).toEqual([1, { outcome: 'refused', code: 4 }]);
  });
});
