/**
 * Factories for broker integration tests: a real MqttBroker on an ephemeral
 * port, fake credentials with real sha256 hashing, a recording sink, and
 * helpers that speak MQTT through mqtt.js.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createConnection } from 'node:net';
import mqtt, { MqttClient, type IClientOptions } from 'mqtt';
import { Registry } from 'prom-client';
import { PrometheusBrokerMetrics } from '../../../src/broker/broker.metrics.js';
import type { BrokerLogger, DeviceCredentials, LoginThrottleDecision, RetainSource, UplinkSink } from '../../../src/broker/broker.ports.js';
import { MqttBroker, type MqttBrokerDeps, type MqttBrokerOptions } from '../../../src/broker/mqtt-broker.js';
import type { BrokerRefusalReason } from '../../../src/domain/broker-acl/device-acl.js';
import type { LoginThrottleScope } from '../../../src/domain/broker-acl/login-guard.js';
import type { OperatorAlert, OperatorAlertSink } from '../../../src/domain/operator-alerts/operator-alert.js';
import type { PresenceTransition } from '../../../src/domain/presence/device-presence.js';

/** The registry's stored format: `sha256:<hex of sha256(secret)>`. */
export const hashSecret = (secret: string): string => `sha256:${createHash('sha256').update(secret, 'utf8').digest('hex')}`;

/** Local stand-in for the registry's verifyDeviceSecret (same format, constant-time compare). */
export function verifySecret(secret: string, secretHash: string): boolean {
  const expected = Buffer.from(secretHash, 'utf8');
  const actual = Buffer.from(hashSecret(secret), 'utf8');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

export interface FakeDevice {
  readonly secret: string;
  readonly disabled?: boolean;
}

export function makeCredentials(devices: Record<string, FakeDevice>): DeviceCredentials {
  return {
    lookup: (deviceId) => {
      const device = devices[deviceId];
      return device === undefined ? undefined : { secretHash: hashSecret(device.secret), disabled: device.disabled ?? false };
    },
    verify: verifySecret,
  };
}

export const DEVICES = {
  'bed-000001': { secret: 'secret-bed-1' },
  'bed-000002': { secret: 'secret-bed-2' },
  'bed-000003': { secret: 'secret-bed-3' },
  'radar-000001': { secret: 'secret-radar-1' },
  'sos-000001': { secret: 'secret-sos-1' },
  'sos-000009': { secret: 'secret-sos-9', disabled: true },
} satisfies Record<string, FakeDevice>;
export type TestDeviceId = keyof typeof DEVICES;

export interface Accepted {
  readonly deviceId: string;
  readonly topic: string;
  readonly payload: string;
}

/** Records what the broker hands over; `mode` decides how `accept` settles. */
export class RecordingSink implements UplinkSink {
  readonly accepted: Accepted[] = [];
  readonly rejectedAttempts: Accepted[] = [];
  readonly transitions: PresenceTransition[] = [];
  readonly refusals: { deviceId: string; topic: string; reason: BrokerRefusalReason }[] = [];
  /** Devices that ended their connection with DISCONNECT, in order. */
  readonly disconnects: string[] = [];
  /** Ordered log shared with the test (e.g. to compare with PUBACK arrival). */
  readonly log: string[] = [];
  mode: 'store' | 'fail' | 'hold' = 'store';
  private held: (() => void)[] = [];

  accept(deviceId: string, topic: string, payload: Buffer): Promise<void> {
    const message = { deviceId, topic, payload: payload.toString('utf8') };
    if (this.mode === 'fail') {
      this.rejectedAttempts.push(message);
      this.log.push(`sink:failed ${topic}`);
      return Promise.reject(new Error('storage down'));
    }
    const store = (): void => {
      this.accepted.push(message);
      this.log.push(`sink:stored ${topic}`);
    };
    if (this.mode === 'hold') {
      return new Promise((resolve) => this.held.push(() => { store(); resolve(); }));
    }
    store();
    return Promise.resolve();
  }

  /** Completes every held `accept`. */
  release(): void {
    const held = this.held;
    this.held = [];
    for (const finish of held) finish();
  }

  get heldCount(): number {
    return this.held.length;
  }

  presence(transition: PresenceTransition): void {
    this.transitions.push(transition);
  }

  disconnected(deviceId: string): void {
    this.disconnects.push(deviceId);
  }

  refused(deviceId: string, topic: string, _payload: Buffer, _receivedAt: number, reason: BrokerRefusalReason): void {
    this.refusals.push({ deviceId, topic, reason });
  }

  /** Transitions as `deviceId online` / `deviceId offline:reason`. */
  presenceLog(): string[] {
    return this.transitions.map((t) => (t.state === 'online' ? `${t.deviceId} online` : `${t.deviceId} offline:${t.reason}`));
  }
}

/** Operator alerts the broker raised, in order (the sink is an edge of the process). */
export class RecordingOperatorAlerts implements OperatorAlertSink {
  readonly alerts: OperatorAlert[] = [];
  raise(alert: OperatorAlert): void {
    this.alerts.push(alert);
  }
}

export interface LogLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

/** Every line the broker writes, for tests that count or read them. */
export class RecordingLogger implements BrokerLogger {
  readonly lines: LogLine[] = [];
  info(fields: object, message: string): void {
    this.lines.push({ level: 'info', fields: fields as Record<string, unknown>, message });
  }
  warn(fields: object, message: string): void {
    this.lines.push({ level: 'warn', fields: fields as Record<string, unknown>, message });
  }
  error(fields: object, message: string): void {
    this.lines.push({ level: 'error', fields: fields as Record<string, unknown>, message });
  }
  withMessage(message: string): LogLine[] {
    return this.lines.filter((l) => l.message === message);
  }
}

export interface TestBroker {
  readonly broker: MqttBroker;
  readonly sink: RecordingSink;
  readonly alerts: RecordingOperatorAlerts;
  readonly logger: RecordingLogger;
  readonly registry: Registry;
  readonly url: string;
  readonly port: number;
  /** Moves the broker's clock forward (presence sweep, throttle windows). */
  advanceClock(ms: number): void;
  refusalCount(reason: BrokerRefusalReason): Promise<number>;
  connectedGauge(): Promise<number>;
  throttleCount(scope: LoginThrottleScope, decision: LoginThrottleDecision): Promise<number>;
  retainStrippedCount(source: RetainSource): Promise<number>;
  takeoverCount(): Promise<number>;
}

export async function startTestBroker(overrides: Partial<MqttBrokerOptions> = {}, deps: Partial<MqttBrokerDeps> = {}): Promise<TestBroker> {
  const registry = new Registry();
  const sink = new RecordingSink();
  const alerts = new RecordingOperatorAlerts();
  const logger = new RecordingLogger();
  let offset = 0;
  const broker = await MqttBroker.start(
    { host: '127.0.0.1', port: 0, presenceSweepMs: 20, ...overrides },
    { credentials: makeCredentials(DEVICES), sink, metrics: new PrometheusBrokerMetrics(registry), now: () => Date.now() + offset, operatorAlerts: alerts, logger, ...deps },
  );
  const valueOf = async (name: string, labels: Record<string, string> = {}): Promise<number> => {
    const metric = await registry.getSingleMetric(name)?.get();
    const found = metric?.values.find((v) => Object.entries(labels).every(([k, value]) => v.labels[k] === value));
    return found?.value ?? 0;
  };
  const port = broker.addresses().tcp;
  if (port === undefined) throw new Error('test broker started without its plain MQTT listener');
  return {
    broker,
    sink,
    alerts,
    logger,
    registry,
    url: `mqtt://127.0.0.1:${port}`,
    port,
    advanceClock: (ms) => { offset += ms; },
    refusalCount: (reason) => valueOf('anxin_broker_refusals_total', { reason }),
    connectedGauge: () => valueOf('anxin_broker_connected_devices'),
    throttleCount: (scope, decision) => valueOf('anxin_broker_login_throttle_total', { scope, decision }),
    retainStrippedCount: (source) => valueOf('anxin_broker_retain_stripped_total', { source }),
    takeoverCount: () => valueOf('anxin_broker_session_takeovers_total'),
  };
}

export type ConnectOutcome =
  | { readonly outcome: 'connected'; readonly client: MqttClient }
  | { readonly outcome: 'refused'; readonly code: number }
  | { readonly outcome: 'closed' };

/** Device credentials as mqtt.js options: client id = username = device id unless overridden. */
export function deviceOptions(deviceId: TestDeviceId, overrides: IClientOptions = {}): IClientOptions {
  return { clientId: deviceId, username: deviceId, password: DEVICES[deviceId].secret, reconnectPeriod: 0, connectTimeout: 2_000, ...overrides };
}

/**
 * An mqtt.js client whose TCP socket leaves from `localAddress` (Linux routes
 * all of 127/8 to loopback), to act as a device behind another address.
 * mqtt.js's own TCP builder passes no local address, hence the stream builder.
 */
export function connectFrom(localAddress: string, url: string, options: IClientOptions): MqttClient {
  const { hostname, port } = new URL(url);
  return new MqttClient(() => createConnection({ host: hostname, port: Number(port), localAddress }), { reconnectPeriod: 0, connectTimeout: 2_000, ...options });
}

/** Connects once (from `localAddress` when given) and reports how the broker answered; a connected client is left open. */
export function tryConnect(url: string, options: IClientOptions, localAddress?: string): Promise<ConnectOutcome> {
  return new Promise((resolve) => {
    const client = localAddress === undefined ? mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 2_000, ...options }) : connectFrom(localAddress, url, options);
    const settle = (outcome: ConnectOutcome): void => {
      client.off('connect', onConnect).off('error', onError).off('close', onClose);
      if (outcome.outcome !== 'connected') client.end(true);
      resolve(outcome);
    };
    const onConnect = (): void => settle({ outcome: 'connected', client });
    const onError = (error: Error & { code?: number | string }): void =>
      settle(typeof error.code === 'number' ? { outcome: 'refused', code: error.code } : { outcome: 'closed' });
    const onClose = (): void => settle({ outcome: 'closed' });
    client.on('connect', onConnect).on('error', onError).on('close', onClose);
  });
}

export async function connectDevice(url: string, deviceId: TestDeviceId, overrides: IClientOptions = {}): Promise<MqttClient> {
  const result = await tryConnect(url, deviceOptions(deviceId, overrides));
  if (result.outcome !== 'connected') throw new Error(`${deviceId} could not connect: ${JSON.stringify(result)}`);
  return result.client;
}

/** Resolves when the client's connection closes (or at once if it is already closed). */
export function closed(client: MqttClient): Promise<void> {
  return new Promise((resolve) => {
    if (!client.connected) return resolve();
    client.once('close', () => resolve());
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` holds (presence and metrics settle asynchronously). */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

export const telemetry = (seq: number): string => JSON.stringify({ seq, ts: 1_773_532_800_000 + seq, heartRate: 68 });
