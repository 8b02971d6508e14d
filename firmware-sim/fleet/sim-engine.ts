/**
 * Runs a fleet of simulated homes in one process: one simulated-time task
 * queue (telemetry, heartbeats, home events, scenario faults) and one
 * real-time queue (reconnect backoff, rate-limited uploads), driven by a
 * single timer. Devices never own timers.
 */
import { getDeviceType } from '../../devices/catalogue.js';
import { DEFAULT_BACKOFF, type BackoffPolicy } from '../firmware/backoff.js';
import type { LinkFactory } from '../firmware/device-link.js';
import { DeviceFirmware, type FirmwareHost } from '../firmware/device-firmware.js';
import { emptyCounters, type FirmwareCounters } from '../firmware/firmware-stats.js';
import { DEFAULT_FLASH_CAPACITY } from '../firmware/flash-buffer.js';
import { Household, type Composition, type DayModifier } from '../household/household.js';
import type { FleetManifest } from '../manifest/fleet-manifest.js';
import { TaskQueue, type ScheduledTask } from '../scheduler/task-queue.js';
import { Prng, hashUniform, hashString } from '../util/prng.js';
import type { RealClock, SimClock } from '../util/sim-clock.js';

/** Scenario faults applied to one device. */
export type DeviceEffect =
  | { readonly kind: 'stop'; readonly deviceId: string; readonly at: number }
  | { readonly kind: 'battery'; readonly deviceId: string; readonly from: number; readonly to: number; readonly levelFrom: number; readonly levelTo: number }
  | { readonly kind: 'flap'; readonly deviceId: string; readonly from: number; readonly to: number; readonly upS: readonly [number, number]; readonly downS: readonly [number, number] };

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
}

export const silentLogger: Logger = { info: () => undefined, warn: () => undefined };

export interface SimEngineOptions {
  readonly manifest: FleetManifest;
  readonly seed: string | number;
  readonly clock: SimClock;
  /**
   * The devices' own real time: publish pacing, reconnect backoff, command
   * replies (default: the simulated clock's real clock). Differs from it
   * only when a run holds simulated time back to let the platform catch up
   * (test/e2e SimulatedTime): the radios must keep running then, or a fleet
   * waiting for publish tokens would wait for a clock that waits for it.
   */
  readonly wall?: RealClock;
  readonly linkFactory: LinkFactory;
  /** Per home (by homeId): living alone or as a couple; default from the seed (about 30 % couples). */
  readonly composition?: (homeId: string) => Composition | undefined;
  /** Scenario changes to the residents' days, by homeId. */
  readonly modifiers?: ReadonlyMap<string, readonly DayModifier[]>;
  readonly effects?: readonly DeviceEffect[];
  readonly backoff?: BackoffPolicy;
  /** Default 10/s per device (the platform allows 20/s with a burst of 200). */
  readonly maxPublishPerS?: number;
  readonly flashCapacity?: number;
  /** Simulated time at which the run ends (devices stop producing). */
  readonly endAt?: number;
  readonly logger?: Logger;
}

export class SimEngine {
  readonly counters: FirmwareCounters = emptyCounters();
  readonly devices: DeviceFirmware[] = [];
  readonly households: Household[] = [];
  private readonly byId = new Map<string, DeviceFirmware>();
  private readonly homeDevices = new Map<Household, DeviceFirmware[]>();
  private readonly sim = new TaskQueue();
  private readonly real = new TaskQueue();
  private readonly clock: SimClock;
  private readonly wall: RealClock;
  private readonly endAt: number;
  private timer: NodeJS.Timeout | undefined;
  private armedAt = Number.POSITIVE_INFINITY;
  private running = false;
  private producing = true;
  private readonly doneCallbacks: (() => void)[] = [];
  private finished = false;

  constructor(private readonly options: SimEngineOptions) {
    this.clock = options.clock;
    this.wall = options.wall ?? options.clock.real;
    this.endAt = options.endAt ?? Number.POSITIVE_INFINITY;
    const seed = String(options.seed);
    const host: FirmwareHost = {
      simNow: () => this.clock.now(),
      realNow: () => this.wall.now(),
      scheduleSim: (due, run) => this.scheduleSim(due, run),
      scheduleReal: (due, run) => this.scheduleReal(due, run),
      simToRealMs: (ms) => Math.max(1, ms / this.clock.speed),
      counters: this.counters,
      backoff: options.backoff ?? DEFAULT_BACKOFF,
      maxPublishPerS: options.maxPublishPerS ?? 10,
      flashCapacity: options.flashCapacity ?? DEFAULT_FLASH_CAPACITY,
    };
    for (const home of options.manifest.homes) {
      const homeSeed = `${seed}:${home.homeId}`;
      const composition = options.composition?.(home.homeId) ?? (hashUniform(hashString(homeSeed), 7) < 0.3 ? 'couple' : 'alone');
      const household = new Household({
        homeId: home.homeId,
        residentId: home.residentId,
        lat: home.lat,
        lon: home.lon,
        seed: homeSeed,
        composition,
        modifiers: options.modifiers?.get(home.homeId) ?? [],
      });
      this.households.push(household);
      const inHome: DeviceFirmware[] = [];
      this.homeDevices.set(household, inHome);
      for (const device of home.devices) {
        if (device.secret === undefined) throw new Error(`device ${device.deviceId} has no secret`);
        const firmware = new DeviceFirmware({
          deviceId: device.deviceId,
          secret: device.secret,
          type: getDeviceType(device.type),
          household,
          rng: new Prng(`${homeSeed}:${device.deviceId}`),
          host,
          linkFactory: options.linkFactory,
        });
        this.devices.push(firmware);
        inHome.push(firmware);
        this.byId.set(device.deviceId, firmware);
      }
    }
  }

  device(deviceId: string): DeviceFirmware | undefined {
    return this.byId.get(deviceId);
  }

  /** Powers every device on at the clock's current simulated time and schedules home events and faults. */
  powerOn(): void {
    const now = this.clock.now();
    for (const d of this.devices) d.powerOn(now);
    for (const household of this.households) this.scheduleHomeEvents(household, now);
    for (const effect of this.options.effects ?? []) this.scheduleEffect(effect);
  }

  /** Virtual mode (tests): runs simulated tasks up to `until` without waiting for real time. */
  runUntil(until: number): void {
    this.sim.runDue(Math.min(until, this.endAt));
  }

  /** Real-time mode: one timer drives both queues. */
  start(): void {
    this.running = true;
    this.pump();
  }

  /** Stops producing new messages (uploads and reconnects go on, so backlogs drain). */
  stopProducing(): void {
    this.producing = false;
    this.sim.clear();
  }

  /** Resolves when simulated time reaches endAt. */
  onDone(callback: () => void): void {
    if (this.finished) callback();
    else this.doneCallbacks.push(callback);
  }

  get pending(): number {
    let n = 0;
    for (const d of this.devices) n += d.pending;
    return n;
  }

  get online(): number {
    let n = 0;
    for (const d of this.devices) if (d.state === 'online') n++;
    return n;
  }

  async shutdown(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.sim.clear();
    this.real.clear();
    await Promise.all(this.devices.map((d) => d.shutdown()));
  }

  private scheduleSim(due: number, run: (due: number) => void): ScheduledTask {
    const task = this.sim.schedule(due, run);
    if (this.running && due < this.armedAt) this.rearm();
    return task;
  }

  private scheduleReal(due: number, run: (due: number) => void): ScheduledTask {
    const task = this.real.schedule(due, run);
    if (this.running) this.rearm();
    return task;
  }

  private scheduleHomeEvents(household: Household, after: number): void {
    const next = household.nextEvents(after);
    const at = next[0]?.at;
    if (at === undefined || at > this.endAt) return;
    const devices = this.homeDevices.get(household) ?? [];
    this.sim.schedule(at, () => {
      for (const event of next) {
        for (const d of devices) if (d.type.type === event.device) d.emitEvent(event.at, event.body);
      }
      this.scheduleHomeEvents(household, at);
    });
  }

  private scheduleEffect(effect: DeviceEffect): void {
    const device = this.byId.get(effect.deviceId);
    if (!device) {
      this.options.logger?.warn(`scenario fault for unknown device ${effect.deviceId}`);
      return;
    }
    switch (effect.kind) {
      case 'stop':
        this.sim.schedule(effect.at, () => device.stop());
        return;
      case 'battery':
        device.batteryCurve = { from: effect.from, to: effect.to, levelFrom: effect.levelFrom, levelTo: effect.levelTo };
        return;
      case 'flap': {
        const rng = new Prng(`flap:${effect.deviceId}:${effect.from}`);
        const cycle = (t: number): void => {
          if (t >= effect.to) return;
          const downS = rng.between(effect.downS[0], effect.downS[1]);
          device.loseNetwork(Math.max(1_000, (downS * 1000) / this.clock.speed));
          const upS = rng.between(effect.upS[0], effect.upS[1]);
          this.sim.schedule(t + (downS + upS) * 1000, cycle);
        };
        this.sim.schedule(effect.from, cycle);
        return;
      }
    }
  }

  private rearm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedAt = Number.POSITIVE_INFINITY;
    if (!this.running) return;
    const realNow = this.wall.now();
    const simDue = this.producing ? this.sim.peekDue() : undefined;
    const realDue = this.real.peekDue();
    let wait = 1_000;
    if (simDue !== undefined) wait = Math.min(wait, this.clock.realDelayUntil(Math.min(simDue, this.endAt)));
    if (realDue !== undefined) wait = Math.min(wait, realDue - realNow);
    wait = Math.max(0, Math.ceil(wait));
    this.armedAt = simDue ?? Number.POSITIVE_INFINITY;
    this.timer = setTimeout(() => this.pump(), wait);
  }

  private pump(): void {
    this.timer = undefined;
    this.armedAt = Number.POSITIVE_INFINITY;
    if (!this.running) return;
    const simNow = Math.min(this.clock.now(), this.endAt);
    let ran = 0;
    if (this.producing) ran += this.sim.runDue(simNow, 5_000);
    ran += this.real.runDue(this.wall.now(), 5_000);
    if (!this.finished && this.clock.now() >= this.endAt) {
      this.finished = true;
      for (const cb of this.doneCallbacks.splice(0)) cb();
    }
    if (ran >= 5_000) {
      this.timer = setTimeout(() => this.pump(), 0);
      return;
    }
    this.rearm();
  }
}
