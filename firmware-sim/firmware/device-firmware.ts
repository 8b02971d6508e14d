/**
 * One simulated device's firmware: seq counter, skewed clock, battery,
 * telemetry and heartbeat timers (as tasks in the fleet's shared queues),
 * flash store with batch upload, reconnect with backoff, and command
 * handling. It speaks only the protocol (devices/protocol.ts) and reads its
 * type from the catalogue.
 */
import type { DeviceTypeDescriptor } from '../../devices/device-type.js';
import {
  commandSchema,
  topics,
  type BatchItemChannel,
  type Command,
  type UplinkChannel,
} from '../../devices/protocol.js';
import type { Household } from '../household/household.js';
import type { ScheduledTask } from '../scheduler/task-queue.js';
import { HOUR_MS } from '../util/local-time.js';
import type { Prng } from '../util/prng.js';
import { backoffDelay, type BackoffPolicy } from './backoff.js';
import type { DeviceLink, LinkEvents, LinkFactory } from './device-link.js';
import type { FirmwareCounters } from './firmware-stats.js';
import { FlashBuffer } from './flash-buffer.js';

/** What the fleet gives each device: time, the two task queues, counters. */
export interface FirmwareHost {
  simNow(): number;
  realNow(): number;
  scheduleSim(due: number, run: (due: number) => void): ScheduledTask;
  scheduleReal(due: number, run: (due: number) => void): ScheduledTask;
  /** Real ms that `simMs` of simulated time take at the current speed (≥ 1). */
  simToRealMs(simMs: number): number;
  readonly counters: FirmwareCounters;
  readonly backoff: BackoffPolicy;
  /** Publishes per second a device allows itself (token bucket); Infinity for none. */
  readonly maxPublishPerS: number;
  readonly flashCapacity: number;
}

export interface FirmwareOptions {
  readonly deviceId: string;
  readonly secret: string;
  readonly type: DeviceTypeDescriptor;
  readonly household: Household;
  readonly rng: Prng;
  readonly host: FirmwareHost;
  readonly linkFactory: LinkFactory;
}

export type FirmwareState = 'off' | 'connecting' | 'online' | 'waiting' | 'rebooting' | 'stopped';

/** A scenario's battery curve: linear from `levelFrom` to `levelTo` over [from, to]. */
export interface BatteryCurve {
  readonly from: number;
  readonly to: number;
  readonly levelFrom: number;
  readonly levelTo: number;
}

const FIRMWARE_VERSION: Readonly<Record<string, string>> = {
  'care-bed': 'cb-2.4.1',
  wearable: 'wb-1.9.3',
  'fall-radar': 'fr-3.1.0',
  'sos-button': 'sb-1.2.0',
  'smoke-detector': 'sd-1.0.7',
  'gas-detector': 'gd-1.1.2',
  'water-leak': 'wl-1.0.4',
  'door-contact': 'dc-1.3.0',
  'pir-motion': 'pm-1.1.5',
};

/** Types with a sounder the platform can silence. */
const SOUNDERS = new Set(['smoke-detector', 'gas-detector', 'water-leak', 'sos-button']);

export class DeviceFirmware implements LinkEvents {
  readonly deviceId: string;
  readonly type: DeviceTypeDescriptor;
  private readonly secret: string;
  private readonly household: Household;
  private readonly host: FirmwareHost;
  private readonly rng: Prng;
  private readonly link: DeviceLink;
  private readonly flash: FlashBuffer;

  state: FirmwareState = 'off';
  private seq: number;
  /** Device clock minus true (simulated) time: a cheap RTC drifts a second or two. */
  skewMs: number;
  private telemetryS: number | null;
  private heartbeatS: number;
  private bootedAt = 0;
  private startedAt = 0;
  private everOnline = false;
  private attempt = 0;
  private generation = 0;
  private forcedDownUntil = 0;
  private inflight: Map<number, { channel: UplinkChannel; payload: string }> | undefined;
  private batchInFlight = 0;
  private drainTask: ScheduledTask | undefined;
  private telemetryTask: ScheduledTask | undefined;
  private heartbeatTask: ScheduledTask | undefined;
  private tokens: number;
  private tokensAt = 0;
  private readonly batteryStart: number;
  private readonly batteryPhaseH: number;
  batteryCurve: BatteryCurve | undefined;
  private readonly rssiBase: number;
  private silencedUntil = 0;

  constructor(options: FirmwareOptions) {
    this.deviceId = options.deviceId;
    this.secret = options.secret;
    this.type = options.type;
    this.household = options.household;
    this.host = options.host;
    this.rng = options.rng;
    this.flash = new FlashBuffer(options.host.flashCapacity);
    this.seq = this.rng.int(0, 1_000_000);
    this.skewMs = Math.round(this.rng.between(-2_000, 2_000));
    this.telemetryS = this.type.telemetryIntervalS;
    this.heartbeatS = this.type.heartbeatIntervalS;
    this.batteryStart = this.rng.between(60, 100);
    this.batteryPhaseH = this.rng.between(0, 50);
    this.rssiBase = this.rng.int(-82, -55);
    this.tokens = Math.min(this.host.maxPublishPerS * 4, 200);
    this.link = options.linkFactory({ deviceId: this.deviceId, secret: this.secret }, this);
  }

  /** Powers the device on at simulated time `at`: timers start, the first connection attempt begins. */
  powerOn(at: number): void {
    this.startedAt = at;
    this.bootedAt = at;
    if (this.telemetryS !== null) this.scheduleTelemetry(at + this.rng.between(0, this.telemetryS * 1000));
    this.scheduleHeartbeat(at + this.heartbeatS * 1000);
    this.connect();
  }

  /** Flash items waiting plus messages in flight (0 when everything produced is acknowledged). */
  get pending(): number {
    return this.flash.size + (this.inflight?.size ?? 0);
  }

  get flashSize(): number {
    return this.flash.size;
  }

  /** Battery percentage now (undefined for mains-powered types). */
  batteryAt(t: number): number | undefined {
    if (!this.type.batteryPowered) return undefined;
    const c = this.batteryCurve;
    if (c && t >= c.from && t <= c.to) {
      return Math.round(c.levelFrom + ((t - c.from) / Math.max(1, c.to - c.from)) * (c.levelTo - c.levelFrom));
    }
    const hours = (t - this.startedAt) / HOUR_MS;
    if (this.type.type === 'wearable') {
      // Worn day and night, charged when it reaches about 40 %: 100 → 40 % over 50 h.
      return Math.round(100 - ((hours + this.batteryPhaseH) % 50) * 1.2);
    }
    // A coin cell or AA pack lasts about two years: ~0.004 %/h.
    return Math.max(35, Math.round(this.batteryStart - hours * 0.004));
  }

  // --- messages ---

  /** The device's own clock (simulated time plus skew). */
  private deviceTime(simT: number): number {
    return Math.round(simT + this.skewMs);
  }

  /** Publishes a home event on this device's event channel. */
  emitEvent(simT: number, body: Readonly<Record<string, unknown>>): void {
    if (this.state === 'stopped' || this.state === 'off') return;
    this.emit('event', simT, body);
  }

  private emit(channel: BatchItemChannel, simT: number, body: Readonly<Record<string, unknown>>, live = false): void {
    const message = { seq: this.nextSeq(), ts: this.deviceTime(simT), ...body };
    this.host.counters.produced++;
    const payload = JSON.stringify(message);
    const direct = live || (this.flash.size === 0 && this.batchInFlight === 0);
    if (this.state === 'online' && direct && this.takeToken()) {
      this.publishLive(channel, message.seq, payload);
    } else {
      this.store(channel, payload);
      this.scheduleDrain();
    }
  }

  private nextSeq(): number {
    const seq = this.seq;
    this.seq = (this.seq + 1) >>> 0; // uint32, wraps [protocol: messageIdentitySchema]
    return seq;
  }

  private store(channel: BatchItemChannel, payload: string): void {
    const before = this.flash.dropped;
    this.flash.push(toBatchItem(channel, payload));
    this.host.counters.buffered++;
    this.host.counters.droppedFromFlash += this.flash.dropped - before;
  }

  private publishLive(channel: UplinkChannel, seq: number, payload: string): void {
    const inflight = (this.inflight ??= new Map());
    inflight.set(seq, { channel, payload });
    const generation = this.generation;
    this.link.publish(topics.uplink(this.deviceId, channel), payload, (error) => {
      if (generation !== this.generation || !inflight.has(seq)) return;
      inflight.delete(seq);
      if (error) {
        if (channel === 'cmd/reply') this.host.counters.repliesLost++;
        else this.requeue([{ channel, payload }]);
        return;
      }
      this.host.counters.sent[channel as keyof FirmwareCounters['sent']]++;
    });
  }

  /** Puts messages that did not get their PUBACK back in front of the flash store. */
  private requeue(items: readonly { channel: UplinkChannel; payload: string }[]): void {
    const back: string[] = [];
    for (const item of items) {
      if (item.channel === 'cmd/reply') this.host.counters.repliesLost++;
      else back.push(toBatchItem(item.channel as BatchItemChannel, item.payload));
    }
    const before = this.flash.dropped;
    this.flash.unshiftAll(back);
    this.host.counters.buffered += back.length;
    this.host.counters.droppedFromFlash += this.flash.dropped - before;
  }

  /** Uploads the flash store oldest first, one batch at a time, each only after the previous PUBACK. */
  private drain(): void {
    this.drainTask = undefined;
    if (this.state !== 'online' || this.batchInFlight > 0 || this.flash.size === 0) return;
    if (!this.takeToken()) {
      this.scheduleDrain();
      return;
    }
    const batch = this.flash.peekBatch();
    if (!batch) return;
    this.batchInFlight = batch.count;
    const generation = this.generation;
    this.link.publish(topics.uplink(this.deviceId, 'batch'), batch.payload, (error) => {
      if (generation !== this.generation) return; // the connection died: the items are still in flash
      this.batchInFlight = 0;
      if (!error) {
        this.flash.commit(batch.count);
        this.host.counters.uploaded += batch.count;
        this.host.counters.batches++;
      }
      this.drain();
    });
  }

  private scheduleDrain(): void {
    if (this.drainTask || this.state !== 'online') return;
    const waitMs = this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.host.maxPublishPerS) * 1000);
    this.drainTask = this.host.scheduleReal(this.host.realNow() + waitMs, () => this.drain());
  }

  /** Token bucket in real time: keeps an accelerated device under the platform's per-device rate limit. */
  private takeToken(): boolean {
    const rate = this.host.maxPublishPerS;
    if (!Number.isFinite(rate)) return true;
    const now = this.host.realNow();
    const burst = Math.min(rate * 4, 200);
    this.tokens = Math.min(burst, this.tokens + ((now - this.tokensAt) / 1000) * rate);
    this.tokensAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  // --- periodic work ---

  private scheduleTelemetry(due: number): void {
    this.telemetryTask = this.host.scheduleSim(due, (t) => this.onTelemetry(t));
  }

  private onTelemetry(t: number): void {
    if (this.state === 'stopped' || this.telemetryS === null) return;
    if (this.state !== 'rebooting') {
      const metrics = this.household.telemetry(this.type.type, t);
      if (metrics) this.emit('telemetry', t, metrics);
    }
    this.scheduleTelemetry(t + this.telemetryS * 1000);
  }

  private scheduleHeartbeat(due: number): void {
    this.heartbeatTask = this.host.scheduleSim(due, (t) => this.onHeartbeat(t));
  }

  private onHeartbeat(t: number): void {
    if (this.state === 'stopped') return;
    if (this.state !== 'rebooting') this.emit('status', t, this.statusBody('heartbeat', t));
    this.scheduleHeartbeat(t + this.heartbeatS * 1000);
  }

  private statusBody(state: 'online' | 'heartbeat', t: number): Record<string, unknown> {
    const body: Record<string, unknown> = { state };
    if (state === 'online') body['firmware'] = FIRMWARE_VERSION[this.type.type] ?? 'sim-1.0.0';
    const battery = this.batteryAt(t);
    if (battery !== undefined) body['battery'] = Math.min(100, Math.max(0, battery));
    body['rssi'] = Math.max(-120, Math.min(-30, this.rssiBase + this.rng.int(-4, 4)));
    body['uptimeS'] = Math.max(0, Math.floor((t - this.bootedAt) / 1000));
    body['heartbeatS'] = this.heartbeatS;
    return body;
  }

  // --- connection ---

  private connect(): void {
    if (this.state === 'stopped') return;
    this.state = 'connecting';
    this.link.open();
  }

  onOnline(): void {
    if (this.state === 'stopped') return;
    this.state = 'online';
    this.attempt = 0;
    this.host.counters.connects++;
    if (this.everOnline) this.host.counters.reconnects++;
    this.everOnline = true;
    // The fresh "online" status goes out at once, ahead of the backlog (it is about now).
    this.emit('status', this.host.simNow(), this.statusBody('online', this.host.simNow()), true);
    this.scheduleDrain();
  }

  onOffline(refused: boolean): void {
    this.generation++;
    this.batchInFlight = 0;
    if (this.drainTask) this.drainTask.cancelled = true;
    this.drainTask = undefined;
    if (this.inflight && this.inflight.size > 0) {
      const items = [...this.inflight.values()];
      this.inflight.clear();
      this.requeue(items);
    }
    if (this.state === 'stopped' || this.state === 'rebooting') return;
    if (this.state === 'connecting') this.host.counters.connectFailures++;
    if (refused) this.host.counters.refusedConnects++;
    this.state = 'waiting';
    const now = this.host.realNow();
    const delay = Math.max(backoffDelay(this.host.backoff, this.attempt, this.rng.next()), this.forcedDownUntil - now);
    this.attempt++;
    this.host.scheduleReal(now + delay, () => {
      if (this.state === 'waiting') this.connect();
    });
  }

  onCommand(payload: Uint8Array): void {
    this.host.counters.commands++;
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(payload).toString('utf8'));
    } catch {
      return; // no cmdId to answer
    }
    const parsed = commandSchema.safeParse(json);
    if (!parsed.success) {
      const cmdId = typeof json === 'object' && json !== null ? (json as Record<string, unknown>)['cmdId'] : undefined;
      if (typeof cmdId === 'string' && cmdId.length > 0 && cmdId.length <= 64) {
        this.reply(cmdId, false, undefined, `invalid command: ${parsed.error.issues[0]?.message ?? 'schema'}`.slice(0, 200));
      }
      return;
    }
    this.execute(parsed.data);
  }

  private execute(command: Command): void {
    const now = this.host.simNow();
    switch (command.name) {
      case 'set_interval': {
        const { telemetryS, heartbeatS } = command.args;
        if (telemetryS !== undefined && this.telemetryS === null) {
          this.reply(command.cmdId, false, undefined, `${this.type.type} has no periodic telemetry`);
          return;
        }
        if (telemetryS !== undefined) {
          this.telemetryS = telemetryS;
          if (this.telemetryTask) this.telemetryTask.cancelled = true;
          this.scheduleTelemetry(now + telemetryS * 1000);
        }
        if (heartbeatS !== undefined) {
          this.heartbeatS = heartbeatS;
          if (this.heartbeatTask) this.heartbeatTask.cancelled = true;
          this.scheduleHeartbeat(now + heartbeatS * 1000);
        }
        this.reply(command.cmdId, true, { telemetryS: this.telemetryS, heartbeatS: this.heartbeatS });
        return;
      }
      case 'locate': {
        if (this.type.type !== 'wearable') {
          this.reply(command.cmdId, false, undefined, `${this.type.type} has no positioning`);
          return;
        }
        // A locate request forces a GPS fix; indoors it is coarse.
        const fix = this.household.location(now) ?? { lat: this.household.lat, lon: this.household.lon, accuracyM: 35 };
        this.reply(command.cmdId, true, { ...fix });
        // PROTOCOL.md §9: the position also goes out as a telemetry message.
        this.emit('telemetry', now, fix);
        return;
      }
      case 'silence_alarm': {
        if (!SOUNDERS.has(this.type.type)) {
          this.reply(command.cmdId, false, undefined, `${this.type.type} has no sounder`);
          return;
        }
        this.silencedUntil = this.deviceTime(now) + command.args.durationS * 1000;
        this.reply(command.cmdId, true, { silencedUntil: this.silencedUntil });
        return;
      }
      case 'sync_time': {
        // The server's clock runs in real time; the device's error is measured against it, not
        // against simulated time, so an accelerated replay keeps its own timeline.
        const before = this.skewMs;
        this.skewMs = command.args.serverTs - this.host.simNow();
        this.reply(command.cmdId, true, { correctedMs: Math.round(this.skewMs - before) });
        return;
      }
      case 'reboot': {
        this.reply(command.cmdId, true, { rebootInS: 2 });
        this.reboot();
        return;
      }
    }
  }

  private reply(cmdId: string, ok: boolean, result?: Record<string, unknown>, error?: string): void {
    const body: Record<string, unknown> = { cmdId, ok };
    if (result !== undefined) body['result'] = result;
    if (error !== undefined) body['error'] = error;
    const message = { seq: this.nextSeq(), ts: this.deviceTime(this.host.simNow()), ...body };
    this.host.counters.produced++;
    if (this.state !== 'online') {
      this.host.counters.repliesLost++; // a reply is about now: never buffered (PROTOCOL: batch channels)
      return;
    }
    this.publishLive('cmd/reply', message.seq, JSON.stringify(message));
  }

  /** Clean restart: DISCONNECT after the reply, a few seconds of boot, then a new session. */
  private reboot(): void {
    const replyGrace = 200;
    this.host.scheduleReal(this.host.realNow() + replyGrace, () => {
      if (this.state === 'stopped') return;
      this.state = 'rebooting';
      void this.link.close().then(() => {
        this.onOffline(false);
        this.host.scheduleReal(this.host.realNow() + this.host.simToRealMs(5_000), () => {
          if (this.state !== 'rebooting') return;
          this.bootedAt = this.host.simNow();
          this.connect();
        });
      });
    });
  }

  // --- scenario faults ---

  /** The device dies (power cut): the connection drops without DISCONNECT and it never comes back. */
  stop(): void {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    if (this.telemetryTask) this.telemetryTask.cancelled = true;
    if (this.heartbeatTask) this.heartbeatTask.cancelled = true;
    this.link.drop();
  }

  /** Loses the network for `downRealMs` (the broker sees the socket die and publishes the last will). */
  loseNetwork(downRealMs: number): void {
    if (this.state === 'stopped') return;
    this.forcedDownUntil = this.host.realNow() + downRealMs;
    if (this.state === 'online' || this.state === 'connecting') this.link.drop();
  }

  /** Clean shutdown for the end of a run. */
  async shutdown(): Promise<void> {
    this.state = 'stopped';
    if (this.telemetryTask) this.telemetryTask.cancelled = true;
    if (this.heartbeatTask) this.heartbeatTask.cancelled = true;
    await this.link.close();
  }
}

/** `{"seq":1,…}` on channel c → `{"channel":"c","seq":1,…}` (a batch item keeps its seq and ts). */
function toBatchItem(channel: BatchItemChannel, payload: string): string {
  return `{"channel":"${channel}",${payload.slice(1)}`;
}
