/**
 * A device's MQTT connection (MQTT.js), set up as PROTOCOL.md asks: client
 * id = username = device id, password = secret, keepalive KEEPALIVE_S, last
 * will `{"state":"offline"}` QoS 1 on the status topic, subscribed to its
 * command topic only.
 *
 * MQTT.js's own reconnect runs at a fixed period, so it is off
 * (`reconnectPeriod: 0`) and the firmware reconnects with backoff. Each
 * attempt uses a fresh client: messages in flight when a connection dies are
 * taken back by the firmware into its flash store, and MQTT.js must not
 * resend them from its own store as well.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { KEEPALIVE_S, topics } from '../../devices/protocol.js';
import type { DeviceLink, LinkCredentials, LinkEvents, LinkFactory } from './device-link.js';

export const LAST_WILL_PAYLOAD = '{"state":"offline"}';

export interface MqttLinkOptions {
  readonly brokerUrl: string;
  /** ms to wait for CONNACK. */
  readonly connectTimeoutMs?: number;
}

export class MqttDeviceLink implements DeviceLink {
  private client: MqttClient | undefined;

  constructor(
    private readonly options: MqttLinkOptions,
    private readonly credentials: LinkCredentials,
    private readonly events: LinkEvents,
  ) {}

  open(): void {
    this.dispose();
    const { deviceId, secret } = this.credentials;
    const client = mqtt.connect(this.options.brokerUrl, {
      clientId: deviceId,
      username: deviceId,
      password: secret,
      keepalive: KEEPALIVE_S,
      clean: true,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: this.options.connectTimeoutMs ?? 10_000,
      will: { topic: topics.uplink(deviceId, 'status'), payload: Buffer.from(LAST_WILL_PAYLOAD), qos: 1, retain: false },
    });
    this.client = client;
    let refused = false;
    client.on('connect', () => {
      if (this.client !== client) return;
      client.subscribe(topics.command(deviceId), { qos: 1 });
      this.events.onOnline();
    });
    client.on('message', (_topic, payload) => {
      if (this.client === client) this.events.onCommand(payload);
    });
    client.on('error', (error: Error & { code?: number | string }) => {
      // CONNACK return codes 4/5 (bad credentials / not authorised) arrive as errors with a numeric code.
      if (typeof error.code === 'number') refused = true;
    });
    client.on('close', () => {
      if (this.client !== client) return;
      this.client = undefined;
      client.removeAllListeners();
      client.on('error', () => undefined);
      client.end(true);
      this.events.onOffline(refused);
    });
  }

  publish(topic: string, payload: string, done: (error?: Error) => void): void {
    const client = this.client;
    if (!client?.connected) {
      done(new Error('not connected'));
      return;
    }
    client.publish(topic, payload, { qos: 1 }, (error) => done(error ?? undefined));
  }

  drop(): void {
    // Destroying the socket sends no DISCONNECT, so the broker publishes the last will [MQTT-3.1.2-8].
    this.client?.stream.destroy();
  }

  close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return Promise.resolve();
    client.removeAllListeners();
    client.on('error', () => undefined);
    return new Promise((resolve) => {
      client.end(false, {}, () => resolve());
    });
  }

  private dispose(): void {
    const client = this.client;
    this.client = undefined;
    if (client) {
      client.removeAllListeners();
      client.on('error', () => undefined);
      client.end(true);
    }
  }
}

export function mqttLinkFactory(options: MqttLinkOptions): LinkFactory {
  return (credentials: LinkCredentials, events: LinkEvents) => new MqttDeviceLink(options, credentials, events);
}
