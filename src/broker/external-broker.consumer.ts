/**
 * Ingest from an MQTT broker the city already runs (Mosquitto, EMQX, …)
 * instead of the embedded one. Device authentication and topic ACLs are then
 * that broker's job (firmware-sim/mosquitto generates a Mosquitto config
 * for them); this consumer only reads uplink topics and feeds the same
 * ingest pipeline.
 *
 * Durability: the consumer acknowledges each QoS 1 delivery only after
 * ingest committed it (MQTT.js `customHandleAcks`), and uses a persistent
 * session (clean: false), so a backend crash leaves unacknowledged messages
 * queued in the broker (the broker must persist sessions across its own
 * restarts: Mosquitto `persistence true`).
 *
 * One consumer uses a plain subscription, which is the default and the safe
 * choice. MQTT.js handles one incoming publish at a time per connection, so
 * for more throughput several consumers can share a subscription
 * (`$share/…`); but Debian's Mosquitto 2.0.11 restores a persisted *shared*
 * subscription without delivering to it until the client subscribes again,
 * and drops what devices publish in that gap (measured: 11 of 732 messages
 * across a broker restart). So shared consumers are opt-in.
 *
 * Retained messages: the city's broker may hold one a device published with
 * retain set (PROTOCOL.md §3 forbids it; that broker may not enforce it), and
 * it replays it to every new subscription, so each backend restart would take
 * an old SOS or an old `{"state":"offline"}` as fresh. The subscriptions ask
 * for no retained messages (MQTT 5 Retain Handling 2 [MQTT-3.3.1-11]), and any
 * delivery that still carries the retain flag is acknowledged and dropped: a
 * broker sets it only on a message sent because of a new subscription
 * ([MQTT-3.3.1-8] in 3.1.1; with Retain As Published 0, [MQTT-3.3.1-12] in 5).
 */
import mqtt, { type MqttClient } from 'mqtt';
import { parseUplinkTopic, TOPIC_ROOT, topics, type Command } from '../../devices/protocol.js';
import { AggregatedLog } from '../observability/aggregated-log.js';
import type { Logger } from '../observability/logger.js';

export interface ExternalBrokerOptions {
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  /** Parallel connections on the shared subscription. */
  readonly consumers: number;
  /** Prefix of the persistent client ids, e.g. anxin-backend → anxin-backend-0, -1, … */
  readonly clientIdPrefix: string;
  /** Dropped retained replays are logged as one line per interval with a count (default 60 s). */
  readonly logIntervalMs?: number;
}

export interface ExternalBrokerSink {
  accept(deviceId: string, topic: string, payload: Buffer, receivedAt: number): Promise<void>;
  /** The device's last will arrived (it lost its connection). */
  lastWill(deviceId: string, at: number): void;
}

const SHARE_GROUP = 'anxin-ingest';
const WILL_PAYLOAD = /^\s*\{\s*"state"\s*:\s*"offline"\s*\}\s*$/;

export class ExternalBrokerConsumer {
  private readonly clients: MqttClient[] = [];
  private readonly retainedLog: AggregatedLog;

  private constructor(
    private readonly options: ExternalBrokerOptions,
    private readonly sink: ExternalBrokerSink,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {
    this.retainedLog = new AggregatedLog(logger, { message: 'retained message from the external broker dropped (a replay, not a fresh event)', keyField: 'channel', intervalMs: options.logIntervalMs ?? 60_000, level: 'warn', now });
  }

  static async start(options: ExternalBrokerOptions, sink: ExternalBrokerSink, logger: Logger, now: () => number = Date.now): Promise<ExternalBrokerConsumer> {
    const consumer = new ExternalBrokerConsumer(options, sink, logger, now);
    await Promise.all(Array.from({ length: options.consumers }, (_, i) => consumer.connect(i)));
    return consumer;
  }

  async publishCommand(deviceId: string, command: Command): Promise<void> {
    const client = this.clients[0];
    if (!client) throw new Error('external broker consumer is not connected');
    await client.publishAsync(topics.command(deviceId), JSON.stringify(command), { qos: 1 });
  }

  connected(): boolean {
    return this.clients.length > 0 && this.clients.every((c) => c.connected);
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.endAsync()));
    this.retainedLog.close();
  }

  private async connect(index: number): Promise<void> {
    const { url, username, password, clientIdPrefix } = this.options;
    const client = mqtt.connect(url, {
      clientId: `${clientIdPrefix}-${index}`,
      protocolVersion: 5,
      clean: false,
      // Keep the session (and its queued QoS 1 messages) for a day across backend restarts.
      properties: { sessionExpiryInterval: 86_400 },
      reconnectPeriod: 1_000,
      ...(username !== undefined ? { username } : {}),
      ...(password !== undefined ? { password } : {}),
      customHandleAcks: (topic, message, packet: { retain?: boolean }, done) => {
        if (packet.retain === true) {
          // Acknowledged so the broker does not resend it; not ingested (see the header).
          this.retainedLog.record(parseUplinkTopic(topic)?.channel ?? 'other', { topic });
          done(0);
          return;
        }
        this.handle(topic, message).then(
          () => done(0),
          (error: unknown) => {
            // Not acknowledged: the broker redelivers after the reconnect.
            this.logger.warn({ topic, err: String(error) }, 'could not commit a message from the external broker; not acknowledging');
            done(error instanceof Error ? error : new Error(String(error)));
          },
        );
      },
    });
    client.on('error', (error) => this.logger.warn({ err: String(error), consumer: index }, 'external broker connection error'));
    this.clients.push(client);
    const share = this.options.consumers > 1 ? `$share/${SHARE_GROUP}/` : '';
    // rh 2: no retained messages at subscribe time [MQTT-3.3.1-11].
    const filters = Object.fromEntries([`${share}${TOPIC_ROOT}/+/+`, `${share}${TOPIC_ROOT}/+/cmd/reply`].map((f) => [f, { qos: 1 as const, rh: 2 as const }]));
    // Subscribe on every connect, even when the broker says the session is
    // present: MQTT.js would skip it, and a broker may restore a session whose
    // subscription no longer delivers (see above). Subscribing again is idempotent.
    client.on('connect', () => {
      client.subscribe({ ...filters, resubscribe: true } as unknown as typeof filters, (error) => {
        if (error) this.logger.error({ err: String(error), consumer: index }, 'could not subscribe to device uplink topics');
      });
    });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
  }

  private async handle(topic: string, payload: Buffer): Promise<void> {
    const parsed = parseUplinkTopic(topic);
    const receivedAt = this.now();
    if (parsed?.channel === 'status' && WILL_PAYLOAD.test(payload.toString('utf8'))) {
      this.sink.lastWill(parsed.deviceId, receivedAt);
      return;
    }
    // Our own commands come back on cmd topics if the ACL lets us read them: not uplink.
    if (topic.endsWith('/cmd')) return;
    await this.sink.accept(parsed?.deviceId ?? topic.split('/')[2] ?? '', topic, payload, receivedAt);
  }
}
