/**
 * The broker's doors against abuse, over real MQTT connections from several
 * loopback addresses (Linux routes all of 127/8): a login throttle that never
 * locks out the holder of the right secret, no retained messages from
 * devices, session takeovers counted and alerted, and refusal logs that junk
 * traffic cannot flood.
 */
import { connect as connectTcp } from 'node:net';
import { jest } from '@jest/globals';
import type { MqttClient } from 'mqtt';
import {
  closed,
  connectFrom,
  deviceOptions,
  eventually,
  startTestBroker,
  tryConnect,
  type ConnectOutcome,
  type TestBroker,
} from './broker.fixtures.js';

jest.setTimeout(60_000);

const ATTACKER = '127.0.0.2';
const DEVICE_HOME = '127.0.0.3';
const JUNK_SOURCE = '127.0.0.4';

let tb: TestBroker;
let brokerClosed = false;
const clients: MqttClient[] = [];

async function startWith(...args: Parameters<typeof startTestBroker>): Promise<void> {
  await tb.broker.close();
  tb = await startTestBroker(...args);
}

beforeEach(async () => {
  brokerClosed = false;
  tb = await startTestBroker();
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.end(true);
  if (!brokerClosed) await tb.broker.close();
});

/** Connects, checks the CONNACK, and ends the connection cleanly before the next attempt (so it is no takeover). */
async function connectAndLeave(deviceId: Parameters<typeof deviceOptions>[0], from: string): Promise<ConnectOutcome['outcome']> {
  const result = await tryConnect(tb.url, deviceOptions(deviceId), from);
  if (result.outcome === 'connected') {
    await result.client.endAsync();
    await eventually(() => !tb.broker.isConnected(deviceId));
  }
  return result.outcome;
}

const codeOf = (result: ConnectOutcome): number | string => (result.outcome === 'refused' ? result.code : result.outcome);

describe('login throttle: never locks out the holder of the right secret', () => {
  it('100 wrong secrets for an SOS button from one address: the real button, from another address, connects every time; the attacker\'s address is throttled for it, counted, and an attack alert is raised once', async () => {
    const attacker: (number | string)[] = [];
    const realDevice: string[] = [];
    for (let i = 0; i < 100; i += 1) {
      attacker.push(codeOf(await tryConnect(tb.url, deviceOptions('sos-000001', { password: `guess-${i}` }), ATTACKER)));
      realDevice.push(await connectAndLeave('sos-000001', DEVICE_HOME));
    }
    expect({
      attacker: [attacker.slice(0, 5), attacker.slice(5).every((c) => c === 5)],
      realDevice: realDevice.every((o) => o === 'connected') && realDevice.length,
      lockouts: await tb.throttleCount('device_address', 'locked'),
      throttled: await tb.throttleCount('device_address', 'refused'),
      refusedThrottled: await tb.refusalCount('login_throttled'),
      addressThrottled: await tb.throttleCount('address', 'refused'),
      alerts: tb.alerts.alerts.map((a) => [a.kind, a.subject, a.detail.addresses]),
    }).toEqual({
      attacker: [[4, 4, 4, 4, 4], true],
      realDevice: 100,
      lockouts: 1,
      throttled: 95,
      refusedThrottled: 95,
      addressThrottled: 0,
      alerts: [['mqtt_login_attack', 'sos-000001', [ATTACKER]]],
    });
  });

  it('an address spraying guesses over 100 device ids is dropped without a CONNACK after 30; a device with its secret from another address connects every time', async () => {
    const attacker: (number | string)[] = [];
    const realDevice: string[] = [];
    for (let i = 0; i < 100; i += 1) {
      const id = `sos-${String(500_000 + i)}`;
      attacker.push(codeOf(await tryConnect(tb.url, { clientId: id, username: id, password: 'guess' }, ATTACKER)));
      realDevice.push(await connectAndLeave('sos-000001', DEVICE_HOME));
    }
    expect({
      attacker: [attacker.slice(0, 30).every((c) => c === 4), attacker.slice(30).every((c) => c === 'closed')],
      realDevice: realDevice.every((o) => o === 'connected') && realDevice.length,
      lockouts: await tb.throttleCount('address', 'locked'),
      dropped: await tb.throttleCount('address', 'refused'),
    }).toEqual({ attacker: [true, true], realDevice: 100, lockouts: 1, dropped: 70 });
  });
});

describe('retain: devices cannot make the broker keep messages', () => {
  it('200 retained 250 KB publishes are all stored by ingest and acknowledged, none is retained, each is counted', async () => {
    const client = connectFrom(DEVICE_HOME, tb.url, deviceOptions('bed-000001'));
    clients.push(client);
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    const payload = Buffer.alloc(250_000, 0x61);
    for (let i = 0; i < 200; i += 1) await client.publishAsync('anxin/v1/bed-000001/event', payload, { qos: 1, retain: true });
    expect({
      stored: tb.sink.accepted.length,
      retained: await tb.broker.retainedCount(),
      stripped: await tb.retainStrippedCount('publish'),
      connected: client.connected,
    }).toEqual({ stored: 200, retained: 0, stripped: 200, connected: true });
  });

  it('an SOS event sent with retain by mistake still reaches ingest', async () => {
    const client = connectFrom(DEVICE_HOME, tb.url, deviceOptions('sos-000001'));
    clients.push(client);
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    await client.publishAsync('anxin/v1/sos-000001/event', '{"seq":1,"ts":1773532800000,"type":"sos"}', { qos: 1, retain: true });
    expect([tb.sink.accepted.map((m) => m.topic), await tb.broker.retainedCount()]).toEqual([['anxin/v1/sos-000001/event'], 0]);
  });

  it('a retained will is published as a plain one: the device goes offline, nothing is retained, it is counted', async () => {
    const will = { topic: 'anxin/v1/bed-000001/status', payload: Buffer.from('{"state":"offline"}'), qos: 1 as const, retain: true };
    const client = connectFrom(DEVICE_HOME, tb.url, deviceOptions('bed-000001', { will }));
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    client.stream.destroy();
    await eventually(() => tb.sink.transitions.length === 2);
    expect([tb.sink.presenceLog(), await tb.broker.retainedCount(), await tb.retainStrippedCount('will')]).toEqual([
      ['bed-000001 online', 'bed-000001 offline:last_will'],
      0,
      1,
    ]);
  });

  it('a device asking for a persistent session gets a clean one (session present = 0 on its return)', async () => {
    const first = await tryConnect(tb.url, deviceOptions('bed-000001', { clean: false }));
    if (first.outcome !== 'connected') throw new Error('no connection');
    await first.client.subscribeAsync('anxin/v1/bed-000001/cmd', { qos: 1 });
    await first.client.endAsync();
    await eventually(() => !tb.broker.isConnected('bed-000001'));
    const sessionPresent = new Promise<boolean>((resolve) => {
      const again = connectFrom(DEVICE_HOME, tb.url, deviceOptions('bed-000001', { clean: false }));
      clients.push(again);
      again.once('connect', (connack) => resolve(connack.sessionPresent));
    });
    expect(await sessionPresent).toBe(false);
  });
});

describe('session takeover', () => {
  /** Connects bed-000001 from each address in turn, advancing the broker clock between connections. */
  async function takeOverFrom(addresses: string[], gapMs: number): Promise<void> {
    let previous: MqttClient | undefined;
    for (const address of addresses) {
      const client = connectFrom(address, tb.url, deviceOptions('bed-000001'));
      clients.push(client);
      await new Promise<void>((resolve) => client.once('connect', () => resolve()));
      if (previous !== undefined) await closed(previous);
      previous = client;
      tb.advanceClock(gapMs);
    }
  }

  it('is counted and logged with both addresses', async () => {
    await takeOverFrom(['127.0.0.2', '127.0.0.3'], 0);
    expect([await tb.takeoverCount(), tb.logger.withMessage('mqtt session taken over').map((l) => [l.fields.deviceId, l.fields.previousAddress, l.fields.address]), tb.alerts.alerts]).toEqual([
      1,
      [['bed-000001', '127.0.0.2', '127.0.0.3']],
      [],
    ]);
  });

  it.each<[string, number, number]>([
    ['three takeovers within 10 minutes raise mqtt_session_takeover once', 4 * 60_000, 1],
    ['three takeovers spread over more than 10 minutes raise nothing', 6 * 60_000, 0],
  ])('%s', async (_name, gapMs, alerts) => {
    await takeOverFrom(['127.0.0.2', '127.0.0.3', '127.0.0.2', '127.0.0.3'], gapMs);
    expect([await tb.takeoverCount(), tb.alerts.alerts.map((a) => [a.kind, a.subject, a.detail])]).toEqual([
      3,
      alerts === 0 ? [] : [['mqtt_session_takeover', 'bed-000001', { takeovers: 3, windowMs: 600_000, addresses: ['127.0.0.2', '127.0.0.3'] }]],
    ]);
  });

  it('the threshold and window are configurable', async () => {
    await startWith({ takeoverAlert: { threshold: 1 } });
    await takeOverFrom(['127.0.0.2', '127.0.0.3'], 0);
    expect(tb.alerts.alerts.map((a) => a.kind)).toEqual(['mqtt_session_takeover']);
  });
});

describe('refusal logs are aggregated', () => {
  /** Frames a device would never send: each makes the broker refuse or drop the connection. */
  const wrongLogin = (i: number): Buffer => {
    const id = Buffer.from(`bed-${String(800_000 + (i % 1000))}`);
    const password = Buffer.from('guess');
    const body = Buffer.concat([
      Buffer.from([0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0xc2, 0x00, 0x3c]), // "MQTT", level 4, username+password+clean, keepalive 60
      Buffer.from([0x00, id.length]), id,
      Buffer.from([0x00, id.length]), id,
      Buffer.from([0x00, password.length]), password,
    ]);
    return Buffer.concat([Buffer.from([0x10, body.length]), body]);
  };
  const JUNK: ((i: number) => Buffer)[] = [
    () => Buffer.from([0x00, 0x00]), // reserved packet type
    () => Buffer.from('GET / HTTP/1.1\r\nHost: broker\r\n\r\n'),
    () => Buffer.from([0x10, 0x0c, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x58, 0x04, 0x02, 0x00, 0x3c, 0x00, 0x00]), // protocol name "MQTX"
    () => Buffer.alloc(16, 0xff),
    wrongLogin,
  ];

  /** One raw TCP connection that sends one frame and waits for the broker to close it. */
  const sendJunk = (port: number, frame: Buffer): Promise<void> =>
    new Promise((resolve) => {
      const socket = connectTcp({ host: '127.0.0.1', port, localAddress: JUNK_SOURCE }, () => socket.end(frame));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve());
      socket.resume();
    });

  it('10,000 junk frames produce one line per reason with its count, not one line each', async () => {
    await startWith({ refusalLogIntervalMs: 3_600_000 });
    const frames = 10_000;
    for (let start = 0; start < frames; start += 100) {
      await Promise.all(Array.from({ length: 100 }, (_, k) => sendJunk(tb.port, JUNK[(start + k) % JUNK.length]!(start + k))));
    }
    await tb.broker.close(); // flushes what is pending
    brokerClosed = true;
    // One line per reason (refusal reason or connection error), each with its count; 2,000 frames of each kind.
    const lines = Object.fromEntries(tb.logger.lines.map((l) => [`${l.message}: ${String(l.fields.reason ?? l.fields.err)}`, l.fields.count]));
    expect([tb.logger.lines.length, lines]).toEqual([
      6,
      {
        'mqtt connection closed on error: Not supported': 2_000,
        'mqtt connection closed on error: Invalid header flag bits, must be 0x0 for puback packet': 2_000,
        'mqtt connection closed on error: Invalid protocolId': 2_000,
        'mqtt connection closed on error: Invalid header flag bits, must be 0x0 for auth packet': 2_000,
        // The address throttle drops the junk login after 30 unknown ids.
        'mqtt refused: unknown_device': 30,
        'mqtt refused: login_throttled': 1_970,
      },
    ]);
  });

  it('writes what it counted every interval, without waiting for close', async () => {
    await startWith({ refusalLogIntervalMs: 50 });
    for (let i = 0; i < 5; i += 1) await tryConnect(tb.url, deviceOptions('bed-000001', { password: 'wrong' }));
    const counted = (): number => tb.logger.withMessage('mqtt refused').reduce((n, l) => n + (l.fields.reason === 'bad_credentials' ? Number(l.fields.count) : 0), 0);
    // However the five attempts fall into intervals, the lines add up to them.
    await eventually(() => counted() === 5);
    expect(tb.logger.withMessage('mqtt refused').every((l) => typeof l.fields.count === 'number')).toBe(true);
  });
});
