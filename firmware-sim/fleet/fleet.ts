/**
 * The programmatic API: run a live fleet (the platform's start command, e2e
 * tests) or a scenario with its ground truth.
 *
 * @example
 * const fleet = await startFleet({ brokerUrl: 'mqtt://127.0.0.1:1883', manifest, seed: 42, speed: 1 });
 * const s = await fleet.stats(); await fleet.stop();
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BackoffPolicy } from '../firmware/backoff.js';
import type { LinkFactory } from '../firmware/device-link.js';
import { addCounters, emptyCounters, type FirmwareCounters } from '../firmware/firmware-stats.js';
import { mqttLinkFactory } from '../firmware/mqtt-device-link.js';
import type { Composition, DayModifier } from '../household/household.js';
import type { FleetManifest } from '../manifest/fleet-manifest.js';
import { SimClock, type RealClock } from '../util/sim-clock.js';
import { SimEngine, silentLogger, type DeviceEffect, type Logger } from './sim-engine.js';

/** Sockets per process stay under the 20,000-file limit with room for the runtime's own. */
export const MAX_DEVICES_PER_PROCESS = 19_000;

export interface FleetOptions {
  readonly brokerUrl: string;
  /** Every device must have a secret (see withDemoSecrets). */
  readonly manifest: FleetManifest;
  readonly seed?: string | number;
  /** Simulated seconds per real second (default 1: live). */
  readonly speed?: number;
  /** Simulated start (epoch ms, ≤ now; default now). */
  readonly startAt?: number;
  /** Simulated end; devices stop producing there. */
  readonly endAt?: number;
  /** Real clock that paces simulated time (default Date.now). */
  readonly now?: () => number;
  /** The devices' real time (publish pacing, backoff, replies); default `now`. See SimEngineOptions.wall. */
  readonly wallNow?: () => number;
  readonly logger?: Logger;
  readonly modifiers?: ReadonlyMap<string, readonly DayModifier[]>;
  readonly effects?: readonly DeviceEffect[];
  readonly composition?: (homeId: string) => Composition | undefined;
  readonly backoff?: BackoffPolicy;
  readonly maxPublishPerS?: number;
  readonly flashCapacity?: number;
  /** Replaces MQTT (tests). */
  readonly linkFactory?: LinkFactory;
  /** Split into child processes above this many devices (default MAX_DEVICES_PER_PROCESS). */
  readonly maxDevicesPerProcess?: number;
}

export interface FleetStats extends FirmwareCounters {
  readonly devices: number;
  readonly online: number;
  /** Messages produced and not yet acknowledged (flash + in flight). */
  readonly pending: number;
  readonly simNow: number;
  readonly processes: number;
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  readonly rssPerDeviceBytes: number;
}

export interface Fleet {
  stats(): Promise<FleetStats>;
  /** Stops producing, waits until every buffered message is acknowledged (or the timeout); true when drained. */
  drain(timeoutMs: number): Promise<boolean>;
  /** Clean DISCONNECT of every device. */
  stop(): Promise<void>;
  /** Resolves when simulated time reaches endAt (never when no endAt). */
  readonly done: Promise<void>;
  /** In-process fleets only: the engine (devices, households), for tests and the platform's demo. */
  readonly engine: SimEngine | undefined;
  /**
   * In-process fleets only: the simulated clock. An accelerated end-to-end
   * run gives it to the platform as its clock, so that server-time rules
   * (heartbeat supervision, absence backstops) live in the same time as the
   * devices, as they do in the field.
   */
  readonly clock: SimClock | undefined;
}

export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const devices = options.manifest.homes.reduce((n, h) => n + h.devices.length, 0);
  const limit = options.maxDevicesPerProcess ?? MAX_DEVICES_PER_PROCESS;
  if (devices > limit) {
    if (options.modifiers || options.effects || options.linkFactory || options.composition) {
      throw new Error(`scenario fleets run in one process (at most ${limit} devices)`);
    }
    return startShardedFleet(options, limit);
  }
  return Promise.resolve(startInProcess(options));
}

function startInProcess(options: FleetOptions): Fleet {
  const real: RealClock = { now: options.now ?? (() => Date.now()) };
  const clock = new SimClock(options.startAt ?? real.now(), options.speed ?? 1, real);
  const engine = new SimEngine({
    manifest: options.manifest,
    seed: options.seed ?? 1,
    clock,
    ...(options.wallNow ? { wall: { now: options.wallNow } } : {}),
    linkFactory: options.linkFactory ?? mqttLinkFactory({ brokerUrl: options.brokerUrl }),
    logger: options.logger ?? silentLogger,
    ...(options.composition ? { composition: options.composition } : {}),
    ...(options.modifiers ? { modifiers: options.modifiers } : {}),
    ...(options.effects ? { effects: options.effects } : {}),
    ...(options.backoff ? { backoff: options.backoff } : {}),
    ...(options.maxPublishPerS !== undefined ? { maxPublishPerS: options.maxPublishPerS } : {}),
    ...(options.flashCapacity !== undefined ? { flashCapacity: options.flashCapacity } : {}),
    ...(options.endAt !== undefined ? { endAt: options.endAt } : {}),
  });
  engine.powerOn();
  engine.start();
  const done = new Promise<void>((resolve) => engine.onDone(resolve));
  const stats = (): FleetStats => {
    const mem = process.memoryUsage();
    return {
      ...engine.counters,
      sent: { ...engine.counters.sent },
      devices: engine.devices.length,
      online: engine.online,
      pending: engine.pending,
      simNow: clock.now(),
      processes: 1,
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
      rssPerDeviceBytes: Math.round(mem.rss / Math.max(1, engine.devices.length)),
    };
  };
  return {
    engine,
    clock,
    done,
    stats: () => Promise.resolve(stats()),
    drain: async (timeoutMs) => {
      engine.stopProducing();
      const until = real.now() + timeoutMs;
      while (engine.pending > 0 && real.now() < until) await sleep(50);
      return engine.pending === 0;
    },
    stop: () => engine.shutdown(),
  };
}

// --- several processes ---

type ToWorker =
  | { readonly type: 'start'; readonly options: Omit<FleetOptions, 'now' | 'logger' | 'modifiers' | 'effects' | 'linkFactory' | 'composition'> }
  | { readonly type: 'stats' | 'drain' | 'stop'; readonly id: number; readonly timeoutMs?: number };
export type WorkerMessage = ToWorker;
export type WorkerReply =
  | { readonly type: 'started' }
  | { readonly type: 'done' }
  | { readonly type: 'reply'; readonly id: number; readonly stats?: FleetStats; readonly drained?: boolean };

async function startShardedFleet(options: FleetOptions, limit: number): Promise<Fleet> {
  const shards: FleetManifest[] = [];
  let current: FleetManifest = { homes: [] };
  let count = 0;
  for (const home of options.manifest.homes) {
    if (count + home.devices.length > limit && current.homes.length > 0) {
      shards.push(current);
      current = { homes: [] };
      count = 0;
    }
    current.homes.push(home);
    count += home.devices.length;
  }
  if (current.homes.length > 0) shards.push(current);
  const workerPath = fileURLToPath(new URL('./fleet-worker.js', import.meta.url));
  const children: ChildProcess[] = [];
  let nextId = 1;
  const pending = new Map<number, (reply: Extract<WorkerReply, { type: 'reply' }>) => void>();
  let doneCount = 0;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const started: Promise<void>[] = [];
  const startAt = options.startAt ?? Date.now();
  for (const manifest of shards) {
    const child = fork(workerPath, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.push(child);
    started.push(
      new Promise<void>((resolve, reject) => {
        child.once('error', reject);
        child.on('message', (m: WorkerReply) => {
          if (m.type === 'started') resolve();
          else if (m.type === 'done' && ++doneCount === children.length) resolveDone();
          else if (m.type === 'reply') pending.get(m.id)?.(m);
        });
      }),
    );
    const { now: _now, logger: _logger, ...plain } = options;
    child.send({ type: 'start', options: { ...plain, manifest, startAt } } satisfies ToWorker);
  }
  await Promise.all(started);
  options.logger?.info(`fleet split over ${children.length} processes`);
  const ask = (child: ChildProcess, type: 'stats' | 'drain' | 'stop', timeoutMs?: number): Promise<Extract<WorkerReply, { type: 'reply' }>> =>
    new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, (r) => {
        pending.delete(id);
        resolve(r);
      });
      child.send({ type, id, ...(timeoutMs !== undefined ? { timeoutMs } : {}) } satisfies ToWorker);
    });
  const stats = async (): Promise<FleetStats> => {
    const parts = (await Promise.all(children.map((c) => ask(c, 'stats')))).map((r) => r.stats!);
    const counters = parts.reduce<FirmwareCounters>((acc, p) => addCounters(acc, p), emptyCounters());
    const devices = parts.reduce((n, p) => n + p.devices, 0);
    const rss = parts.reduce((n, p) => n + p.rssBytes, 0);
    return {
      ...counters,
      devices,
      online: parts.reduce((n, p) => n + p.online, 0),
      pending: parts.reduce((n, p) => n + p.pending, 0),
      simNow: Math.min(...parts.map((p) => p.simNow)),
      processes: children.length,
      rssBytes: rss,
      heapUsedBytes: parts.reduce((n, p) => n + p.heapUsedBytes, 0),
      rssPerDeviceBytes: Math.round(rss / Math.max(1, devices)),
    };
  };
  return {
    engine: undefined,
    clock: undefined,
    done,
    stats,
    drain: async (timeoutMs) => (await Promise.all(children.map((c) => ask(c, 'drain', timeoutMs)))).every((r) => r.drained === true),
    stop: async () => {
      await Promise.all(children.map((c) => ask(c, 'stop')));
      for (const c of children) c.disconnect();
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
