/**
 * Test harness for the simulator's integration tests: an in-process aedes
 * broker on a real TCP port that can be stopped and restarted on the same
 * port, and a backend-side subscriber that decodes everything it receives
 * with the platform's decoder and counts distinct (deviceId, seq).
 * Reusable by platform tests (e.g. a 100-device, 60 s outage).
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { getDeviceType } from '../../../devices/catalogue.js';
import { decodeUplink } from '../../../devices/decode-uplink.js';
import { parseUplinkTopic, topics } from '../../../devices/protocol.js';
import { demoDeviceSecret, type FleetManifest } from '../../../firmware-sim/manifest/fleet-manifest.js';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export const BACKEND_USER = 'anxin-backend';
export const BACKEND_PASSWORD = 'backend-secret';

/** An aedes broker that authenticates demo devices (secret = HMAC of the demo key) and the backend user. */
export class RestartableBroker {
  private broker: Aedes | undefined;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  /** While false, devices are refused (the backend subscribes first after a restart, as an embedded ingest would). */
  acceptDevices = true;

  constructor(readonly port: number, private readonly demoKey: string) {}

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const broker = await Aedes.createBroker();
    broker.authenticate = (client, username, password, done) => {
      const secret = password?.toString('utf8') ?? '';
      const ok = username === BACKEND_USER ? secret === BACKEND_PASSWORD : this.acceptDevices && client.id === username && username !== undefined && secret === demoDeviceSecret(this.demoKey, username);
      done(null, ok);
    };
    const server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      broker.handle(socket);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.broker = broker;
    this.server = server;
  }

  /** Cuts every device connection, lets in-flight deliveries to the backend finish, then stops the broker. */
  async stop(): Promise<void> {
    const server = this.server;
    const broker = this.broker;
    this.server = undefined;
    this.broker = undefined;
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    for (const socket of this.sockets) if (socket.remotePort !== undefined && !this.isBackend(socket)) socket.destroy();
    await new Promise((r) => setTimeout(r, 300));
    for (const socket of this.sockets) socket.destroy();
    if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()));
    await closed;
  }

  backendPorts = new Set<number>();

  private isBackend(socket: Socket): boolean {
    return this.backendPorts.has(socket.remotePort ?? -1);
  }
}

export interface ReceivedMessage {
  readonly deviceId: string;
  readonly channel: string;
  readonly seq: number;
  readonly buffered: boolean;
  readonly payload: Record<string, unknown>;
}

/** The backend side: subscribes to all uplink, decodes, and counts. */
export class BackendSubscriber {
  readonly received: ReceivedMessage[] = [];
  readonly rejections: string[] = [];
  readonly wills: string[] = [];
  private readonly seen = new Set<string>();
  duplicates = 0;
  /** SUBACKs received (one per (re)connection). */
  subscriptions = 0;
  private client: MqttClient | undefined;

  constructor(private readonly manifest: FleetManifest) {}

  get distinct(): number {
    return this.seen.size;
  }

  async connect(url: string, options: { username?: string; password?: string; onLocalPort?: (port: number) => void } = {}): Promise<void> {
    const types = new Map(this.manifest.homes.flatMap((h) => h.devices.map((d) => [d.deviceId, getDeviceType(d.type)] as const)));
    const client = mqtt.connect(url, {
      clientId: `backend-${Math.floor(Math.random() * 1e9)}`,
      username: options.username ?? BACKEND_USER,
      password: options.password ?? BACKEND_PASSWORD,
      reconnectPeriod: 200,
      clean: true,
    });
    this.client = client;
    client.on('connect', () => {
      const port = (client.stream as Socket).localPort;
      if (port !== undefined) options.onLocalPort?.(port);
      client.subscribe(topics.allUplink, { qos: 1 }, () => this.subscriptions++);
    });
    client.on('error', () => undefined);
    client.on('message', (topic, payload) => {
      if (topic.endsWith('/cmd')) return; // downlink, the backend's own commands
      const parsed = parseUplinkTopic(topic);
      const type = parsed ? types.get(parsed.deviceId) : undefined;
      if (!parsed || !type) {
        this.rejections.push(`unknown topic ${topic}`);
        return;
      }
      const text = payload.toString('utf8');
      if (parsed.channel === 'status' && text.includes('"offline"')) {
        this.wills.push(parsed.deviceId);
        return;
      }
      const result = decodeUplink(type, parsed.channel, payload);
      if (!result.ok) {
        this.rejections.push(`${topic} ${result.reason}: ${result.detail}`);
        return;
      }
      const raw = JSON.parse(text) as Record<string, unknown> & { items?: Record<string, unknown>[] };
      const items = parsed.channel === 'batch' ? raw.items ?? [] : [raw];
      result.messages.forEach((m, i) => {
        const key = `${parsed.deviceId}/${m.seq}`;
        if (this.seen.has(key)) this.duplicates++;
        this.seen.add(key);
        this.received.push({ deviceId: parsed.deviceId, channel: parsed.channel, seq: m.seq, buffered: result.buffered, payload: items[i] ?? {} });
      });
    });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    await new Promise((r) => setTimeout(r, 100));
  }

  publish(topic: string, payload: string): void {
    this.client?.publish(topic, payload, { qos: 1 });
  }

  async close(): Promise<void> {
    await this.client?.endAsync(true);
  }
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
