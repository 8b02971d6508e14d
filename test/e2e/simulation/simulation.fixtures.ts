/**
 * Shared by the simulation e2e tests: boots the platform in demo mode (its
 * demo devices' secrets are HMAC(demo key, device id), which the simulator
 * derives with the same key), reads the fleet manifest over the API, and
 * collects the alerts a scenario run raised for the checker.
 */
import type { Fleet } from '../../../firmware-sim/fleet/fleet.js';
import { DAY_MS, localMidnight } from '../../../firmware-sim/util/local-time.js';
import { PlatformClient } from '../../../firmware-sim/platform/platform-client.js';
import { withDemoSecrets, type FleetManifest } from '../../../firmware-sim/manifest/fleet-manifest.js';
import { SEVERITIES, type ObservedAlert, type ScenarioExpectation, type Severity } from '../../../firmware-sim/scenarios/check-scenario.js';
import type { InfluxServer } from '../../support/influx-server.js';
import { DomainEventBus } from '../../../src/domain/events/event-bus.js';
import { startTestPlatform, TEST_ADMIN_TOKEN, type TestPlatform } from '../../support/test-platform.js';

export const DEMO_KEY = 'simulation-e2e-demo-key';

/**
 * An accelerated fleet replays the past at up to `speed` simulated seconds
 * per real second; a care bed then produces `speed / 10` messages per second
 * (more than the production token bucket of 20/s, burst 200). The test raises
 * the bucket instead of weakening the production default.
 */
export const ACCELERATED_RATE_LIMIT = { perSecond: 5_000, burst: 50_000 } as const;

/**
 * Time in an accelerated run: the fleet's clock, given to the platform (as
 * `now`), paced by what the platform has taken in.
 *
 * Devices replay the past at up to `speed`×; the platform's server-time rules
 * (heartbeat supervision, the absence backstop of bed exit / inactivity, fall
 * escalation) must live in the same time, as they do in the field where
 * device and server clocks agree. In the field a message also reaches the
 * server within milliseconds of being sent; in an accelerated run every real
 * millisecond the platform is behind (a GC pause, a SQLite flush, the
 * simulator holding the shared event loop) is `speed` simulated
 * milliseconds: at 720× a 250 ms stall is three missed heartbeats of a
 * mattress, and supervision offlines devices whose heartbeats are merely
 * queued. So the fleet runs on a real clock that holds still whenever its
 * simulated time would get more than `aheadMs` past the newest device
 * timestamp the platform has taken in (backpressure: `speed` is a ceiling).
 * A device that really fell silent still goes offline: the rest of the
 * fleet moves time on.
 *
 * Before the fleet starts the platform's clock stands at the simulated
 * start; after `until` (the run's end) it stands still: the devices fall
 * silent there, and a clock running on would offline the whole fleet.
 *
 * @example
 * const time = new SimulatedTime(scenarioStart(1), 720);
 * const platform = await startDemoPlatform(60, {}, time.now);
 * time.attach(platform);
 * const run = await runScenario({ …, speed: 720, now: time.fleetRealNow });
 * time.follow(run.fleet, run.endAt);
 */
export class SimulatedTime {
  private fleet: Fleet | undefined;
  private until = Number.POSITIVE_INFINITY;
  private received: number;
  /** Set by the fleet's first reading (SimClock takes its real start there). */
  private realStart: number | undefined;
  private held = 0;
  private lastReal = 0;
  private released = false;

  constructor(
    readonly startAt: number,
    readonly speed: number,
    /** How far (simulated ms) the fleet may run ahead of what the platform took in. */
    readonly aheadMs = 60_000,
  ) {
    this.received = startAt;
  }

  /** Advances with every device timestamp the platform takes in. */
  attach(platform: TestPlatform): void {
    const bus = platform.get(DomainEventBus);
    const seen = (e: { ts: number }): void => {
      if (e.ts > this.received) this.received = e.ts;
    };
    bus.subscribe('TelemetryReceived', seen);
    bus.subscribe('DeviceEventReceived', seen);
    bus.subscribe('DeviceStatusReported', seen);
  }

  /** The fleet's real clock (FleetOptions.now): wall time less the time it was held back. */
  readonly fleetRealNow = (): number => {
    if (this.realStart === undefined) this.lastReal = this.realStart = Date.now();
    const wall = Date.now() - this.held;
    // The simulated time this real instant would mean, and the latest one the platform allows.
    const limit = this.released ? this.realStart + (this.received + this.aheadMs - this.startAt) / this.speed : this.realStart;
    const real = Math.max(this.lastReal, Math.min(wall, limit));
    this.held += wall - real;
    this.lastReal = real;
    return real;
  };

  /**
   * Lets simulated time start. Until then it stands at the start while the
   * devices connect: a fleet connecting over 3 real seconds would otherwise
   * come online over 36 simulated minutes at 720×, and a battery or presence
   * alert due at the start would be stamped by the connection ramp.
   */
  release(): void {
    this.released = true;
  }

  /** Hands the platform the fleet's clock up to `until` (the run's end). */
  follow(fleet: Fleet, until = Number.POSITIVE_INFINITY): void {
    if (!fleet.clock) throw new Error('only an in-process fleet has a clock to follow');
    this.fleet = fleet;
    this.until = until;
  }

  readonly now = (): number => Math.min(this.fleet?.clock?.now() ?? this.startAt, this.until);
}

/** The simulated start runScenario picks for `days` days (they end at the last local midnight). */
export function scenarioStart(days: number, realNow = Date.now()): number {
  return localMidnight(realNow) - days * DAY_MS;
}

export async function startDemoPlatform(residents: number, config: Record<string, unknown> = {}, now?: () => number): Promise<TestPlatform> {
  return startTestPlatform({
    ...(now ? { now } : {}),
    config: {
      demo: { enabled: true, residents, liveHomes: 0, key: DEMO_KEY },
      mqtt: { host: '127.0.0.1', port: 0, rateLimit: ACCELERATED_RATE_LIMIT },
      ...config,
    },
  });
}

export function platformClient(platform: TestPlatform): PlatformClient {
  return new PlatformClient({ baseUrl: platform.httpUrl, adminToken: TEST_ADMIN_TOKEN });
}

export async function fetchDemoManifest(platform: TestPlatform, homes: number): Promise<FleetManifest> {
  return withDemoSecrets(await platformClient(platform).fetchManifest(homes), DEMO_KEY);
}

export async function fetchScenarioAlerts(platform: TestPlatform, expectation: ScenarioExpectation): Promise<ObservedAlert[]> {
  const client = platformClient(platform);
  const alerts: ObservedAlert[] = [];
  for (const residentId of expectation.residentIds) alerts.push(...(await client.fetchAlerts(residentId, expectation.from, expectation.to)));
  return Promise.all(alerts.map(async (a) => ({ ...a, peakSeverity: await peakSeverity(platform, a.id) })));
}

/** The most severe level in an alert's change history. */
async function peakSeverity(platform: TestPlatform, alertId: string): Promise<Severity> {
  const detail = (await (await platform.api(`/api/alerts/${alertId}`)).json()) as { severity: Severity; history: { severity: Severity }[] };
  const rank = (s: Severity): number => SEVERITIES.indexOf(s);
  return [detail.severity, ...detail.history.map((h) => h.severity)].reduce((a, b) => (rank(b) < rank(a) ? b : a));
}

/** The first `devices` devices of the manifest (whole homes, the last one cut). */
export function firstDevices(manifest: FleetManifest, devices: number): FleetManifest {
  const homes: FleetManifest['homes'][number][] = [];
  let left = devices;
  for (const home of manifest.homes) {
    if (left <= 0) break;
    homes.push({ ...home, devices: home.devices.slice(0, left) });
    left -= Math.min(left, home.devices.length);
  }
  return { homes };
}

const NOT_TELEMETRY = new Set(['events', 'device_health']);

/**
 * Uplink messages stored in InfluxDB, per device: a telemetry message is one
 * timestamp across its measurements, an event one (event, timestamp), a
 * status one device_health timestamp. InfluxDB overwrites a point written
 * twice, so this counts what arrived at least once; the platform's dedup
 * keeps a re-upload from being a second message with another timestamp.
 */
export async function countStoredMessages(influx: InfluxServer, database: string): Promise<Map<string, number>> {
  const shown = await influx.query('SHOW MEASUREMENTS', database);
  const measurements = (shown.results[0]?.series?.[0]?.values ?? []).map((v) => String(v[0]));
  const keys = new Map<string, Set<string>>();
  for (const m of measurements) {
    const result = await influx.query(`SELECT * FROM "${m}"`, database);
    const series = result.results[0]?.series?.[0];
    if (!series) continue;
    const col = (name: string): number => series.columns.indexOf(name);
    const [time, device, event] = [col('time'), col('deviceId'), col('event')];
    for (const row of series.values) {
      const deviceId = String(row[device]);
      const kind = NOT_TELEMETRY.has(m) ? `${m}:${event >= 0 ? String(row[event]) : ''}` : 'telemetry';
      let set = keys.get(deviceId);
      if (!set) keys.set(deviceId, (set = new Set()));
      set.add(`${kind}:${String(row[time])}`);
    }
  }
  return new Map([...keys].map(([d, s]) => [d, s.size]));
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string | (() => string)): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
