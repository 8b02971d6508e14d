/**
 * The transport a simulated device talks through. `MqttDeviceLink` is the
 * real one (one MQTT.js client, one TCP socket per device); tests and the
 * message-validity check use `MemoryDeviceLink`.
 */
export interface LinkEvents {
  /** CONNACK accepted. */
  onOnline(): void;
  /** The connection is gone, or an attempt failed (`refused`: CONNACK said no). */
  onOffline(refused: boolean): void;
  /** A message on `anxin/v1/{id}/cmd`. */
  onCommand(payload: Uint8Array): void;
}

export interface DeviceLink {
  /** Starts one connection attempt; the outcome arrives as onOnline or onOffline. */
  open(): void;
  /** QoS 1 publish; `done` runs at PUBACK, or with an error. */
  publish(topic: string, payload: string, done: (error?: Error) => void): void;
  /** Abrupt loss (power cut, Wi-Fi gone): no DISCONNECT, so the broker publishes the last will. */
  drop(): void;
  /** Clean DISCONNECT (no last will). */
  close(): Promise<void>;
}

export interface LinkCredentials {
  readonly deviceId: string;
  readonly secret: string;
}

export type LinkFactory = (credentials: LinkCredentials, events: LinkEvents) => DeviceLink;

/** A published message as a MemoryDeviceLink records it. */
export interface RecordedPublish {
  readonly deviceId: string;
  readonly topic: string;
  readonly payload: string;
}

/**
 * An in-memory link that is always reachable and acknowledges at once.
 * @example const sent: RecordedPublish[] = []; const factory = memoryLinkFactory(sent);
 */
export class MemoryDeviceLink implements DeviceLink {
  private online = false;

  constructor(
    private readonly credentials: LinkCredentials,
    private readonly events: LinkEvents,
    private readonly sink: (p: RecordedPublish) => void,
  ) {}

  open(): void {
    this.online = true;
    this.events.onOnline();
  }

  publish(topic: string, payload: string, done: (error?: Error) => void): void {
    if (!this.online) {
      done(new Error('not connected'));
      return;
    }
    this.sink({ deviceId: this.credentials.deviceId, topic, payload });
    done();
  }

  drop(): void {
    if (!this.online) return;
    this.online = false;
    this.events.onOffline(false);
  }

  close(): Promise<void> {
    this.online = false;
    return Promise.resolve();
  }

  /** Delivers a command as the broker would. */
  command(payload: string): void {
    this.events.onCommand(Buffer.from(payload));
  }
}

export function memoryLinkFactory(sink: (p: RecordedPublish) => void, links?: Map<string, MemoryDeviceLink>): LinkFactory {
  return (credentials, events) => {
    const link = new MemoryDeviceLink(credentials, events, sink);
    links?.set(credentials.deviceId, link);
    return link;
  };
}
