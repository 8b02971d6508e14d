/**
 * External-broker mode against a real Mosquitto: a retained message the
 * city's broker replays on subscribe is not taken as a fresh event.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import mqtt from 'mqtt';
import { ExternalBrokerConsumer, type ExternalBrokerSink } from '../../../src/broker/external-broker.consumer.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { findFreePort } from '../../support/influx-server.js';
import { eventually } from './broker.fixtures.js';

jest.setTimeout(20_000);

const portOpen = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

class RecordingExternalSink implements ExternalBrokerSink {
  readonly accepted: string[] = [];
  readonly wills: string[] = [];
  accept(_deviceId: string, topic: string, payload: Buffer): Promise<void> {
    this.accepted.push(`${topic} ${payload.toString('utf8')}`);
    return Promise.resolve();
  }
  lastWill(deviceId: string): void {
    this.wills.push(deviceId);
  }
}

let dir: string;
let port: number;
let mosquitto: ChildProcess;
let consumer: ExternalBrokerConsumer | undefined;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'anxin-external-retain-'));
  port = await findFreePort();
  const config = join(dir, 'mosquitto.conf');
  writeFileSync(config, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
  mosquitto = spawn('/usr/sbin/mosquitto', ['-c', config], { stdio: 'ignore' });
  await eventually(() => portOpen(port), 10_000);
});

afterEach(async () => {
  await consumer?.close();
  consumer = undefined;
  const exited = new Promise<void>((resolve) => mosquitto.once('exit', () => resolve()));
  mosquitto.kill('SIGTERM');
  await exited;
  rmSync(dir, { recursive: true, force: true });
});

/** A device (or whoever) publishing on the city's broker. */
async function publish(topic: string, message: string, retain: boolean): Promise<void> {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: `pub-${Math.random()}`, reconnectPeriod: 0 });
  await client.publishAsync(topic, message, { qos: 1, retain });
  await client.endAsync();
}

describe('ExternalBrokerConsumer and retained messages', () => {
  it('does not ingest a retained SOS or a retained offline status replayed on subscribe, and ingests what arrives afterwards', async () => {
    await publish('anxin/v1/sos-000001/event', '{"seq":1,"ts":1,"type":"sos"}', true);
    await publish('anxin/v1/bed-000001/status', '{"state":"offline"}', true);
    const sink = new RecordingExternalSink();
    consumer = await ExternalBrokerConsumer.start({ url: `mqtt://127.0.0.1:${port}`, consumers: 1, clientIdPrefix: 'anxin-test' }, sink, silentLogger);
    await publish('anxin/v1/sos-000001/event', '{"seq":2,"ts":2,"type":"sos"}', false);
    await eventually(() => sink.accepted.length > 0, 5_000);
    expect([sink.accepted, sink.wills]).toEqual([['anxin/v1/sos-000001/event {"seq":2,"ts":2,"type":"sos"}'], []]);
  });

  it('ingests a publish made with retain while it is subscribed (the broker forwards it as a live message)', async () => {
    const sink = new RecordingExternalSink();
    consumer = await ExternalBrokerConsumer.start({ url: `mqtt://127.0.0.1:${port}`, consumers: 1, clientIdPrefix: 'anxin-test' }, sink, silentLogger);
    await eventually(() => consumer?.connected() === true);
    // Subscriptions are made on 'connect'; wait until Mosquitto forwards to them.
    await eventually(async () => {
      await publish('anxin/v1/bed-000001/telemetry', '{"seq":0}', false);
      return sink.accepted.length > 0;
    }, 5_000);
    await publish('anxin/v1/sos-000001/event', '{"seq":3,"ts":3,"type":"sos"}', true);
    await eventually(() => sink.accepted.some((m) => m.includes('"seq":3')), 5_000);
    expect(sink.accepted.filter((m) => m.startsWith('anxin/v1/sos-000001/event'))).toEqual(['anxin/v1/sos-000001/event {"seq":3,"ts":3,"type":"sos"}']);
  });
});
