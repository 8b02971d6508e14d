/**
 * The embedded MQTT broker: aedes 1.2 behind TCP, optional TLS and optional
 * MQTT over WebSocket, with device auth and ACL in its hooks (STYLE.md §8).
 * The decisions are the pure functions of `domain/broker-acl`; this class
 * only wires them to aedes, the ports and the sockets.
 *
 * What aedes 1.2 does, read from its source (lib/handlers/*.js), that this
 * class relies on:
 * - `preConnect` failing with an error destroys the socket without a CONNACK
 *   (failing with `(null, false)` would leave the socket open and silent).
 * - `authenticate` failing with `err.returnCode` 2..5 sends that CONNACK code
 *   and closes [MQTT-3.2.2-5]. It runs before the session is registered, so a
 *   refused CONNECT never closes an existing session with the same client id
 *   and never arms a will.
 * - A second CONNECT with the same client id closes the first [MQTT-3.1.4-2]
 *   after `authenticate` succeeded; the old connection's will then goes
 *   through `authorizePublish`.
 * - `authorizePublish` runs before the PUBACK/PUBREC; an error closes the
 *   connection without an acknowledgement (MQTT 3.1.1 has no negative ack,
 *   [MQTT-3.3.5-2]) and, the close not being a DISCONNECT, publishes the will.
 * - The will is authorised through `authorizePublish` with the (already
 *   closed) client, synchronously before `clientDisconnect` is emitted. aedes
 *   has no will hook at CONNECT, so the will topic is checked in
 *   `authenticate` from the CONNECT packet kept by `preConnect`.
 * - aedes speaks MQTT 3.1 and 3.1.1 only (CONNACK 1 for MQTT 5).
 * - mqtt-packet 9 has no maximum packet size; see `guardPacketSize`.
 * - `authorizePublish` receives the very packet object aedes then publishes
 *   (`enqueuePublish` → `broker.publish`, which copies `retain` into the
 *   aedes-packet that `storeRetained` checks), and the will object aedes
 *   publishes on close is the one CONNECT carried (`client._will`, persisted
 *   by `storeWill`): clearing `retain` on them means nothing is retained.
 * - `preConnect` gets the CONNECT packet before `init` reads `clean` from it,
 *   so setting `clean` there makes the session clean.
 *
 * What one connection can make aedes keep in memory, and the bound on it:
 * retained messages (none: devices' retain flags are cleared), subscriptions
 * (one: the ACL grants only the device's own command topic), a will (one,
 * its own status topic, at most the packet cap), queued QoS 1/2 messages for
 * an offline persistent session (none: device sessions are made clean, as
 * PROTOCOL.md §2 prescribes), inbound QoS 2 awaiting PUBREL
 * (`maxInflightInbound`, lowered from aedes's 1000 packets), packets received
 * before the CONNACK (aedes `queueLimit`, 42), and publishes awaiting the sink
 * (bounded by the rate limiter: its burst, then its sustained rate).
 */
import type { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { Aedes, type AuthenticateError, type Client, type ConnectPacket, type PublishPacket, type Subscription } from 'aedes';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { deviceIdSchema, MAX_PACKET_BYTES, statusPayloadSchema, topics, type Command } from '../../devices/protocol.js';
import {
  BROKER_REFUSAL_REASONS,
  decideConnect,
  decidePublish,
  decideSubscribe,
  decideWill,
  type BrokerRefusalReason,
} from '../domain/broker-acl/device-acl.js';
import { LoginGuard, type LoginAttack, type LoginThrottleScope } from '../domain/broker-acl/login-guard.js';
import type { LoginThrottlePolicy } from '../domain/broker-acl/login-throttle.js';
import { RateLimiter, type RateLimitPolicy } from '../domain/broker-acl/rate-limiter.js';
import type { OperatorAlertSink } from '../domain/operator-alerts/operator-alert.js';
import { RepeatedEventDetector, type RepeatedEventPolicy } from '../domain/operator-alerts/repeated-event-detector.js';
import { DevicePresence, type PresenceTransition } from '../domain/presence/device-presence.js';
import { AggregatedLog } from '../observability/aggregated-log.js';
import { silentBrokerLogger, type BrokerLogger, type BrokerMetrics, type DeviceCredentials, type UplinkSink } from './broker.ports.js';

export interface MqttBrokerOptions {
  /** Interface for all listeners, e.g. '0.0.0.0'. */
  readonly host: string;
  /** Plain MQTT port; 0 picks a free port (see `addresses()`). */
  readonly port: number;
  /** Open the plain MQTT listener on `port` (default true); false leaves only TLS and WebSocket. */
  readonly plaintext?: boolean;
  readonly tls?: { readonly port: number; readonly keyPath: string; readonly certPath: string; readonly caPath?: string };
  readonly websocket?: { readonly port: number; readonly path: string };
  /** Largest MQTT packet accepted, header included (default MAX_PACKET_BYTES). */
  readonly maxPacketBytes?: number;
  readonly rateLimit?: Partial<RateLimitPolicy>;
  /**
   * Per remote address and per device id + address, never per device id
   * alone (see `LoginGuard`); `attack` is when refused logins for one device
   * id raise the operator alert `mqtt_login_attack`. The address policy should
   * be looser than the device+address one: many devices of a care home share
   * one NAT address.
   */
  readonly loginThrottle?: {
    readonly address?: Partial<LoginThrottlePolicy>;
    readonly deviceAddress?: Partial<LoginThrottlePolicy>;
    readonly attack?: Partial<RepeatedEventPolicy>;
  };
  /** Takeovers of one device's session that raise `mqtt_session_takeover` (default 3 within 10 min). */
  readonly takeoverAlert?: Partial<RepeatedEventPolicy>;
  /** Refusals and connection errors are logged as one line per reason per interval, with a count (default 60 s). */
  readonly refusalLogIntervalMs?: number;
  /** aedes `maxInflightInbound`: QoS 2 publishes one connection may hold awaiting PUBREL (default 16). */
  readonly maxInflightInbound?: number;
  /** Heartbeats a device may miss before it is offline (default 3). */
  readonly heartbeatMisses?: number;
  /** Heartbeat interval assumed until a device announces `heartbeatS` in its status (default 60). */
  readonly defaultHeartbeatS?: number;
  /** How often the presence sweep runs (default 5 s). */
  readonly presenceSweepMs?: number;
  /** aedes `concurrency`: publishes in flight before mqemitter queues them (default 100; see TOOLCHAIN.md). */
  readonly concurrency?: number;
  /** Time a new connection has to send CONNECT (aedes default 30 s). */
  readonly connectTimeoutMs?: number;
}

export interface MqttBrokerDeps {
  readonly credentials: DeviceCredentials;
  readonly sink: UplinkSink;
  readonly metrics: BrokerMetrics;
  readonly logger?: BrokerLogger;
  /** Where `mqtt_session_takeover` and `mqtt_login_attack` go (default: discarded). */
  readonly operatorAlerts?: OperatorAlertSink;
  /** Server clock, epoch ms. */
  readonly now?: () => number;
}

export interface BrokerAddresses {
  /** Absent when the plain listener is closed (`plaintext: false`). */
  readonly tcp?: number;
  readonly tls?: number;
  readonly websocket?: number;
}

const DEFAULT_TAKEOVER_ALERT: RepeatedEventPolicy = { threshold: 3, windowMs: 10 * 60_000 };

/** CONNACK return codes (MQTT 3.1.1 §3.2.2.3). */
const CONNACK_IDENTIFIER_REJECTED = 2;
const CONNACK_BAD_USERNAME_OR_PASSWORD = 4;
const CONNACK_NOT_AUTHORIZED = 5;

/** Unknown device and wrong secret look the same to the client, so ids cannot be enumerated. */
function connackCodeFor(reason: BrokerRefusalReason): number {
  switch (reason) {
    case 'bad_credentials':
    case 'unknown_device':
      return CONNACK_BAD_USERNAME_OR_PASSWORD;
    case 'client_id_mismatch':
      return CONNACK_IDENTIFIER_REJECTED;
    case 'device_disabled':
    case 'login_throttled':
    case 'will_denied':
    case 'publish_denied':
    case 'subscribe_denied':
    case 'rate_limited':
    case 'packet_too_large':
      return CONNACK_NOT_AUTHORIZED;
  }
}

const REFUSAL_REASONS: ReadonlySet<string> = new Set(BROKER_REFUSAL_REASONS);

/** Login failures that count towards the lockout (not: disabled device, forbidden will). */
const COUNTS_AS_FAILED_LOGIN: ReadonlySet<BrokerRefusalReason> = new Set(['bad_credentials', 'unknown_device', 'client_id_mismatch']);

export class MqttBroker {
  private readonly logger: BrokerLogger;
  private readonly now: () => number;
  private readonly maxPacketBytes: number;
  private readonly loginGuard: LoginGuard;
  private readonly takeovers: RepeatedEventDetector;
  private readonly takeoverPolicy: RepeatedEventPolicy;
  /** One line per reason per interval: junk from the network must not flood the log. */
  private readonly refusalLog: AggregatedLog;
  private readonly connectionErrorLog: AggregatedLog;
  private readonly rateLimiter: RateLimiter;
  private readonly presence: DevicePresence;
  /** The will each connecting client announced in CONNECT, from preConnect to authenticate. */
  private readonly connectWills = new WeakMap<Client, ConnectPacket['will']>();
  /** The newest authenticated connection of each device; older ones are being taken over. */
  private readonly sessions = new Map<string, Client>();
  /** Connections whose will aedes published (closed without DISCONNECT). */
  private readonly willsPublished = new WeakSet<Client>();
  private readonly servers: (TcpServer | TlsServer | HttpServer)[] = [];
  private webSocketServer: WebSocketServer | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private ports: BrokerAddresses | undefined;

  private constructor(
    private readonly options: MqttBrokerOptions,
    private readonly deps: MqttBrokerDeps,
    private readonly aedes: Aedes,
  ) {
    this.logger = deps.logger ?? silentBrokerLogger;
    this.now = deps.now ?? Date.now;
    this.maxPacketBytes = options.maxPacketBytes ?? MAX_PACKET_BYTES;
    this.loginGuard = new LoginGuard(
      {
        ...(options.loginThrottle?.address !== undefined && { address: options.loginThrottle.address }),
        ...(options.loginThrottle?.deviceAddress !== undefined && { deviceAddress: options.loginThrottle.deviceAddress }),
        ...(options.loginThrottle?.attack !== undefined && { attack: options.loginThrottle.attack }),
      },
      this.now,
    );
    this.takeoverPolicy = { ...DEFAULT_TAKEOVER_ALERT, ...options.takeoverAlert };
    this.takeovers = new RepeatedEventDetector(this.takeoverPolicy);
    const intervalMs = options.refusalLogIntervalMs ?? 60_000;
    this.refusalLog = new AggregatedLog(this.logger, { message: 'mqtt refused', keyField: 'reason', intervalMs, now: this.now });
    this.connectionErrorLog = new AggregatedLog(this.logger, { message: 'mqtt connection closed on error', keyField: 'err', intervalMs, level: 'info', now: this.now });
    this.rateLimiter = new RateLimiter(options.rateLimit ?? {}, this.now);
    this.presence = new DevicePresence({
      ...(options.heartbeatMisses !== undefined && { heartbeatMisses: options.heartbeatMisses }),
      ...(options.defaultHeartbeatS !== undefined && { defaultHeartbeatS: options.defaultHeartbeatS }),
    });
  }

  /**
   * Creates the broker and starts every configured listener.
   *
   * @example
   * const broker = await MqttBroker.start({ host: '0.0.0.0', port: 1883 }, { credentials, sink, metrics });
   * await broker.publishCommand('bed-000123', { cmdId: 'c1', ts: Date.now(), name: 'locate' });
   * await broker.close();
   */
  static async start(options: MqttBrokerOptions, deps: MqttBrokerDeps): Promise<MqttBroker> {
    const aedes = await Aedes.createBroker({
      concurrency: options.concurrency ?? 100,
      connectTimeout: options.connectTimeoutMs ?? 30_000,
      // Client ids are device ids (up to 64 chars); the 23-char cap applies to MQTT 3.1 only.
      maxClientsIdLength: 64,
      // Devices publish QoS 0 and 1 (PROTOCOL.md §3); aedes's 1000 QoS 2 packets
      // awaiting PUBREL would let one connection pin 1000 × the packet cap.
      maxInflightInbound: options.maxInflightInbound ?? 16,
    });
    const broker = new MqttBroker(options, deps, aedes);
    broker.installHooks();
    try {
      await broker.listen();
    } catch (error) {
      await broker.close();
      throw error;
    }
    return broker;
  }

  /** Ports actually listened on (useful with port 0). */
  addresses(): BrokerAddresses {
    if (this.ports === undefined) throw new Error('broker is not listening');
    return this.ports;
  }

  /** Devices with an open, authenticated connection. */
  connectedCount(): number {
    return this.aedes.connectedClients;
  }

  /** The device has an authenticated connection (from its CONNACK on; aedes flags `connected` a little later). */
  isConnected(deviceId: string): boolean {
    const client = this.sessions.get(deviceId);
    return client !== undefined && !client.closed;
  }

  /** Retained messages the broker holds, on any topic (diagnostics: devices cannot create any). */
  async retainedCount(): Promise<number> {
    // aedes types do not declare `persistence`; aedes-persistence 10 memory streams are async iterables.
    const persistence = (this.aedes as unknown as { persistence: { createRetainedStream(pattern: string): AsyncIterable<unknown> } }).persistence;
    const packets: unknown[] = [];
    for await (const packet of persistence.createRetainedStream('#')) packets.push(packet);
    return packets.length;
  }

  /**
   * Sends a command to a device: QoS 1 on `anxin/v1/{id}/cmd`. Resolves once
   * aedes has routed it (to the connected device, or to its persistent
   * session); it does not wait for the device's PUBACK.
   */
  async publishCommand(deviceId: string, command: Command): Promise<void> {
    const id = deviceIdSchema.parse(deviceId);
    const packet: PublishPacket = {
      cmd: 'publish',
      topic: topics.command(id),
      payload: Buffer.from(JSON.stringify(command), 'utf8'),
      qos: 1,
      retain: false,
      dup: false,
    };
    await new Promise<void>((resolve, reject) => {
      this.aedes.publish(packet, (error) => (error ? reject(error) : resolve()));
    });
  }

  async close(): Promise<void> {
    if (this.sweepTimer !== undefined) clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    this.refusalLog.close();
    this.connectionErrorLog.close();
    // aedes first: it closes every client, so the servers can finish closing.
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
    if (this.webSocketServer !== undefined) {
      for (const ws of this.webSocketServer.clients) ws.terminate();
      await new Promise<void>((resolve) => this.webSocketServer?.close(() => resolve()));
    }
    await Promise.all(
      this.servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            if (!server.listening) return resolve();
            server.close(() => resolve());
          }),
      ),
    );
  }

  // --- listeners ---------------------------------------------------------------------------

  private async listen(): Promise<void> {
    const tcpPort = this.options.plaintext === false ? undefined : await this.listenOn(createTcpServer((socket) => this.handle(socket)), this.options.port);
    let tlsPort: number | undefined;
    let wsPort: number | undefined;
    if (this.options.tls !== undefined) {
      const { keyPath, certPath, caPath, port } = this.options.tls;
      const [key, cert, ca] = await Promise.all([readFile(keyPath), readFile(certPath), caPath === undefined ? undefined : readFile(caPath)]);
      const tls = createTlsServer({ key, cert, ...(ca !== undefined && { ca }) }, (socket) => this.handle(socket));
      tlsPort = await this.listenOn(tls, port);
    }
    if (this.options.websocket !== undefined) {
      const http = createHttpServer((_req, res) => {
        res.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket only');
      });
      this.webSocketServer = new WebSocketServer({ server: http, path: this.options.websocket.path });
      this.webSocketServer.on('connection', (ws, req) => {
        const stream = createWebSocketStream(ws);
        stream.on('error', () => stream.destroy());
        this.handle(stream, req);
      });
      wsPort = await this.listenOn(http, this.options.websocket.port);
    }
    this.ports = { ...(tcpPort !== undefined && { tcp: tcpPort }), ...(tlsPort !== undefined && { tls: tlsPort }), ...(wsPort !== undefined && { websocket: wsPort }) };

    this.sweepTimer = setInterval(() => this.sweep(), this.options.presenceSweepMs ?? 5_000);
    this.sweepTimer.unref();
  }

  private listenOn(server: TcpServer | TlsServer | HttpServer, port: number): Promise<number> {
    this.servers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.options.host, () => {
        server.off('error', reject);
        server.on('error', (error: Error) => this.logger.error({ err: error }, 'mqtt listener error'));
        resolve((server.address() as AddressInfo).port);
      });
    });
  }

  private handle(conn: Duplex, req?: IncomingMessage): void {
    const client = this.aedes.handle(conn, req);
    guardPacketSize(client, this.maxPacketBytes, () => this.refuse('packet_too_large', { clientId: client.id, address: remoteAddressOf(client) }));
  }

  private sweep(): void {
    for (const transition of this.presence.sweep(this.now())) this.report(transition);
    this.loginGuard.prune();
    this.takeovers.prune(this.now());
    this.rateLimiter.prune();
  }

  // --- aedes hooks ---------------------------------------------------------------------------

  private installHooks(): void {
    const aedes = this.aedes;
    aedes.preConnect = (client, packet, callback) => this.preConnect(client, packet, callback);
    aedes.authenticate = (client, username, password, callback) => this.authenticate(client, username, password, callback);
    aedes.authorizePublish = (client, packet, callback) => this.authorizePublish(client, packet, callback);
    aedes.authorizeSubscribe = (client, subscription, callback) => this.authorizeSubscribe(client, subscription, callback);

    aedes.on('client', () => this.deps.metrics.connected(this.connectedCount()));
    aedes.on('clientReady', (client) => this.report(this.presence.markConnected(client.id, this.now())));
    aedes.on('clientDisconnect', (client) => this.onDisconnect(client));
    // A refusal closes the connection with its reason as the error: already logged by `refuse`.
    aedes.on('clientError', (client, error) => {
      if (!REFUSAL_REASONS.has(error.message)) this.connectionErrorLog.record(error.message, { deviceId: client.id, address: remoteAddressOf(client) });
    });
    aedes.on('connectionError', (client, error) => {
      if (!REFUSAL_REASONS.has(error.message)) this.connectionErrorLog.record(error.message, { address: remoteAddressOf(client) });
    });
    const emitter: EventEmitter = aedes; // 'error' is not in aedes's typed event map
    emitter.on('error', (error: Error) => this.logger.error({ err: error }, 'aedes error'));
  }

  /** Cheapest gate first: an address locked out for failed logins is dropped before CONNECT is looked at. */
  private preConnect(client: Client, packet: ConnectPacket, callback: (error: Error | null, success: boolean) => void): void {
    const address = remoteAddressOf(client);
    const check = this.loginGuard.checkAddress(address);
    if (check.throttled) {
      this.throttled(check.scope, address, packet.username);
      this.refuse('login_throttled', { address, clientId: packet.clientId, scope: check.scope });
      callback(new Error('login_throttled'), false);
      return;
    }
    // [MQTT-3.1.2-17] would have the will retained: devices must not retain
    // (PROTOCOL.md §3), and clearing it here also keeps it out of storeWill.
    if (packet.will?.retain === true) {
      packet.will.retain = false;
      this.deps.metrics.retainStripped('will');
    }
    // A persistent session [MQTT-3.1.2-4] would queue commands for an absent
    // device without bound; PROTOCOL.md §2 prescribes clean sessions, so every
    // device session is clean (the CONNACK says session present = 0 [MQTT-3.2.2-1]).
    packet.clean = true;
    this.connectWills.set(client, packet.will);
    callback(null, true);
  }

  private authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
    callback: (error: AuthenticateError | null, success: boolean | null) => void,
  ): void {
    const address = remoteAddressOf(client);
    const entry = username !== undefined && deviceIdSchema.safeParse(username).success ? this.deps.credentials.lookup(username) : undefined;
    // Only registered ids get a device+address key, so made-up ids cannot fill the tables.
    const knownId = entry !== undefined ? username : undefined;
    const check = this.loginGuard.check(address, knownId);
    const throttled = check.throttled;
    // The secret is not even checked while locked out: no oracle for a brute force.
    const passwordOk = !throttled && entry !== undefined && password !== undefined && this.deps.credentials.verify(password.toString('utf8'), entry.secretHash);
    const decision = decideConnect({
      clientId: client.id,
      username,
      passwordOk,
      deviceKnown: entry !== undefined,
      deviceDisabled: entry?.disabled ?? false,
      throttled,
    });
    const will = this.connectWills.get(client);
    this.connectWills.delete(client);
    const final = decision.allow && will !== undefined && username !== undefined ? decideWill(username, will.topic) : decision;

    if (!final.allow) {
      if (check.throttled) {
        this.throttled(check.scope, address, knownId);
      } else if (COUNTS_AS_FAILED_LOGIN.has(final.reason)) {
        const outcome = this.loginGuard.recordFailure(address, knownId);
        for (const scope of outcome.locked) this.deps.metrics.loginThrottle(scope, 'locked');
        if (outcome.attack !== undefined) this.raiseLoginAttack(outcome.attack);
      }
      this.refuse(final.reason, {
        deviceId: username,
        clientId: client.id,
        address,
        ...(check.throttled && { scope: check.scope }),
        ...(will !== undefined && { willTopic: will.topic }),
      });
      const error = Object.assign(new Error(final.reason), { returnCode: connackCodeFor(final.reason) });
      callback(error, false);
      return;
    }
    // Only this device from this address is reset: the address key guards
    // against spraying guesses across many device ids, which one valid login
    // must not wipe. It decays with its window.
    this.loginGuard.recordSuccess(address, client.id);
    const previous = this.sessions.get(client.id);
    if (previous !== undefined && !previous.closed) this.takenOver(client.id, remoteAddressOf(previous), address);
    this.sessions.set(client.id, client);
    callback(null, true);
  }

  /** An attempt refused unchecked by a locked key; it still counts towards an attack on the device id. */
  private throttled(scope: LoginThrottleScope, address: string, username: string | undefined): void {
    this.deps.metrics.loginThrottle(scope, 'refused');
    const knownId = username !== undefined && deviceIdSchema.safeParse(username).success && this.deps.credentials.lookup(username) !== undefined ? username : undefined;
    const attack = this.loginGuard.recordThrottled(address, knownId);
    if (attack !== undefined) this.raiseLoginAttack(attack);
  }

  private raiseLoginAttack(attack: LoginAttack): void {
    this.logger.warn({ deviceId: attack.deviceId, refusedLogins: attack.refusedLogins, windowMs: attack.windowMs, addresses: attack.addresses }, 'mqtt login attack on a device id');
    this.deps.operatorAlerts?.raise({
      kind: 'mqtt_login_attack',
      subject: attack.deviceId,
      raisedAt: this.now(),
      detail: { refusedLogins: attack.refusedLogins, windowMs: attack.windowMs, addresses: attack.addresses },
    });
  }

  /**
   * The device's open connection is closed by aedes for this newer one
   * [MQTT-3.1.4-2]. Once is a reboot that beat the keepalive; repeatedly is a
   * cloned credential or two devices sharing one id.
   */
  private takenOver(deviceId: string, previousAddress: string, address: string): void {
    const at = this.now();
    this.deps.metrics.sessionTakeover();
    const repeated = this.takeovers.record(deviceId, at);
    const takeovers = this.takeovers.countIn(deviceId, at);
    // Not aggregated: only the holder of the device's secret gets here.
    this.logger.warn({ deviceId, previousAddress, address, takeoversInWindow: takeovers }, 'mqtt session taken over');
    if (!repeated) return;
    this.deps.operatorAlerts?.raise({
      kind: 'mqtt_session_takeover',
      subject: deviceId,
      raisedAt: at,
      detail: { takeovers, windowMs: this.takeoverPolicy.windowMs, addresses: [previousAddress, address] },
    });
  }

  private authorizePublish(client: Client | null, packet: PublishPacket, callback: (error?: Error | null) => void): void {
    // Devices must not retain (PROTOCOL.md §3): the flag is cleared instead of
    // the message refused, so an SOS sent with retain by mistake still
    // arrives, and nothing is kept for future subscribers [MQTT-3.3.1-5].
    if (packet.retain) {
      packet.retain = false;
      if (client !== null && !client.closed) this.deps.metrics.retainStripped('publish');
    }
    // aedes re-publishing a will it found in persistence for a broker that went away.
    if (client === null) return callback(null);
    // A closed client cannot send: this is aedes publishing its will.
    if (client.closed) return this.authorizeWill(client, packet, callback);

    const deviceId = client.id;
    const receivedAt = this.now();
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    // Fallback when the parser guard could not be installed; the guard refuses earlier.
    if (payload.length + Buffer.byteLength(packet.topic) > this.maxPacketBytes) {
      return this.refusePublish(client, packet.topic, payload, receivedAt, 'packet_too_large', callback);
    }
    const acl = decidePublish(deviceId, packet.topic);
    if (!acl.allow) return this.refusePublish(client, packet.topic, payload, receivedAt, acl.reason, callback);
    if (!this.rateLimiter.tryTake(deviceId)) return this.refusePublish(client, packet.topic, payload, receivedAt, 'rate_limited', callback);

    this.report(this.presence.markSeen(deviceId, receivedAt, announcedHeartbeatS(packet.topic, deviceId, payload)));

    this.deps.sink.accept(deviceId, packet.topic, payload, receivedAt).then(
      () => callback(null),
      (error: unknown) => {
        this.deps.metrics.uplinkFailed();
        this.logger.warn({ deviceId, topic: packet.topic, qos: packet.qos, err: error instanceof Error ? error.message : String(error) }, 'uplink not stored');
        // QoS 1/2: no acknowledgement; aedes closes the connection and the
        // device resends after reconnecting. QoS 0 has nothing to withhold:
        // dropping beats disconnecting every device during a storage outage.
        if (packet.qos === 0) callback(null);
        else callback(error instanceof Error ? error : new Error(String(error)));
      },
    );
  }

  private authorizeWill(client: Client, packet: PublishPacket, callback: (error?: Error | null) => void): void {
    // Taken over by a newer connection of the same device: the device is
    // online, so its old connection's will is not published (and not reported).
    if (this.sessions.get(client.id) !== client) return callback(new Error('superseded by a newer connection'));
    // Checked at CONNECT already; kept here so no path publishes a foreign will.
    const decision = decideWill(client.id, packet.topic);
    if (!decision.allow) return callback(new Error(decision.reason));
    this.willsPublished.add(client);
    callback(null);
  }

  private authorizeSubscribe(client: Client, subscription: Subscription, callback: (error: Error | null, subscription?: Subscription | null) => void): void {
    const decision = decideSubscribe(client.id, subscription.topic);
    if (!decision.allow) {
      this.refuse(decision.reason, { deviceId: client.id, topicFilter: subscription.topic });
      // A null subscription is a failure in the SUBACK (granted 0x80, MQTT 3.1.1 §3.9.3); the connection stays.
      return callback(null, null);
    }
    callback(null, subscription);
  }

  private onDisconnect(client: Client): void {
    this.deps.metrics.connected(this.connectedCount());
    // A connection replaced by a newer one of the same device changes nothing.
    if (this.sessions.get(client.id) !== client) return;
    this.sessions.delete(client.id);
    const reason = this.willsPublished.has(client) ? 'last_will' : 'disconnected';
    const at = this.now();
    this.report(this.presence.markDisconnected(client.id, at, reason));
    if (reason === 'disconnected') {
      try {
        this.deps.sink.disconnected?.(client.id, at);
      } catch (error) {
        this.logger.error({ err: error, deviceId: client.id }, 'presence listener failed');
      }
    }
  }

  // --- helpers -------------------------------------------------------------------------------

  private refusePublish(client: Client, topic: string, payload: Buffer, receivedAt: number, reason: BrokerRefusalReason, callback: (error?: Error | null) => void): void {
    this.refuse(reason, { deviceId: client.id, topic });
    this.deps.sink.refused?.(client.id, topic, payload, receivedAt, reason);
    // aedes closes the connection (no negative ack in MQTT 3.1.1).
    callback(new Error(reason));
  }

  private refuse(reason: BrokerRefusalReason, context: object): void {
    this.deps.metrics.refused(reason);
    this.refusalLog.record(reason, context);
  }

  private report(transition: PresenceTransition | undefined): void {
    if (transition === undefined) return;
    try {
      this.deps.sink.presence(transition);
    } catch (error) {
      this.logger.error({ err: error, deviceId: transition.deviceId }, 'presence listener failed');
    }
  }
}

function remoteAddressOf(client: Client): string {
  return client.req?.socket.remoteAddress ?? (client.conn as Partial<Socket>).remoteAddress ?? 'unknown';
}

/** A status message may announce the heartbeat interval the device keeps. */
function announcedHeartbeatS(topic: string, deviceId: string, payload: Buffer): number | undefined {
  if (topic !== topics.uplink(deviceId, 'status')) return undefined;
  try {
    const parsed = statusPayloadSchema.shape.heartbeatS.safeParse((JSON.parse(payload.toString('utf8')) as { heartbeatS?: unknown }).heartbeatS);
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined; // content problems are the sink's business
  }
}

/** The parts of mqtt-packet 9's Parser that `guardPacketSize` touches. */
interface PacketParserInternals {
  packet: { length: number };
  _parseLength(): boolean;
  _emitError(error: Error): void;
}

/**
 * Refuses a packet as soon as its fixed header announces a size above the
 * limit, before its body is buffered: mqtt-packet 9 has no size option and
 * would otherwise hold up to 256 MB per connection. Wraps the parser aedes
 * creates per client (a private field, hence the feature test; the
 * authorizePublish size check is the fallback and the integration test
 * notices if this stops working).
 */
function guardPacketSize(client: Client, maxBytes: number, onTooLarge: () => void): void {
  const parser = (client as unknown as { _parser?: Partial<PacketParserInternals> })._parser;
  if (parser === undefined || typeof parser._parseLength !== 'function' || typeof parser._emitError !== 'function') return;
  const parseLength = parser._parseLength;
  const internals = parser as PacketParserInternals;
  internals._parseLength = function guardedParseLength(this: PacketParserInternals): boolean {
    const done = parseLength.call(this);
    if (done && fixedHeaderBytes(this.packet.length) + this.packet.length > maxBytes) {
      onTooLarge();
      this._emitError(new Error('packet_too_large'));
      return false;
    }
    return done;
  };
}

/** Control byte plus the Remaining Length varint (MQTT 3.1.1 §2.2.3). */
function fixedHeaderBytes(remainingLength: number): number {
  if (remainingLength < 128) return 2;
  if (remainingLength < 16_384) return 3;
  if (remainingLength < 2_097_152) return 4;
  return 5;
}
