/**
 * The normal-day soak (issue 4, acceptance 1, second half): N demo homes
 * live ordinary days (alone or as a couple, every device of the home at its
 * catalogue rate) for D simulated days against one platform, accelerated;
 * the platform must raise no alert at all, for any resident of any home.
 *
 * Shared by `npm run soak:normal-day` (50 homes × 7 days, its own script:
 * tens of minutes here) and the CI smoke run (a few homes, two days). The
 * verdict counts every alert the platform stored, not only the residents a
 * scenario names: in a couple's home the second resident is checked too.
 */
import { getDeviceType } from '../../../devices/catalogue.js';
import type { FleetStats } from '../../../firmware-sim/fleet/fleet.js';
import { runScenario } from '../../../firmware-sim/scenarios/run-scenario.js';
import { DAY_MS } from '../../../firmware-sim/util/local-time.js';
import { DomainEventBus } from '../../../src/domain/events/event-bus.js';
import { DurableInbox } from '../../../src/ingest/durable-inbox.js';
import { startInfluxServer, type InfluxServer } from '../../support/influx-server.js';
import type { TestPlatform } from '../../support/test-platform.js';
import { fetchDemoManifest, scenarioStart, SimulatedTime, startDemoPlatform, waitFor } from './simulation.fixtures.js';

export interface SoakOptions {
  readonly homes: number;
  readonly days: number;
  /** Ceiling of simulated seconds per real second (the platform sets the pace, see SimulatedTime). */
  readonly speed: number;
  readonly seed?: string;
  /** Store telemetry in a real InfluxDB 1.x started for the run (the production path), or the embedded SQLite store. */
  readonly store: 'influx' | 'embedded';
  /** Called about once a second while the fleet runs. */
  readonly onProgress?: (p: SoakProgress) => void;
}

export interface SoakProgress {
  /** Simulated days done (fractional). */
  readonly simulatedDays: number;
  /** Uplink messages taken in so far (domain events: a batch counts per message). */
  readonly accepted: number;
  readonly realSeconds: number;
}

export interface SoakAlert {
  readonly id: string;
  readonly kind: string;
  readonly residentId: string;
  readonly severity: string;
  readonly firstRaisedAt: number;
}

export interface SoakResult {
  readonly homes: number;
  readonly residents: number;
  readonly devices: number;
  /** What the devices should have sent at their catalogue rates (telemetry and heartbeats; events come on top). */
  readonly nominalMessages: number;
  readonly days: number;
  readonly startAt: number;
  readonly endAt: number;
  /** Every alert the platform stored during the run (the soak passes when there is none). */
  readonly alerts: readonly SoakAlert[];
  /** Uplink messages the platform durably accepted, by channel (from /metrics). */
  readonly accepted: Readonly<Record<string, number>>;
  /** Uplink messages the platform refused, by reason (from /metrics). */
  readonly rejected: Readonly<Record<string, number>>;
  readonly fleet: FleetStats;
  readonly realSeconds: number;
}

export async function runNormalDaySoak(options: SoakOptions): Promise<SoakResult> {
  const t0 = Date.now();
  let influx: InfluxServer | undefined;
  let platform: TestPlatform | undefined;
  let stopFleet: (() => Promise<void>) | undefined;
  try {
    if (options.store === 'influx') influx = await startInfluxServer();
    const startAt = scenarioStart(options.days);
    const time = new SimulatedTime(startAt, options.speed);
    // The demo seeds residents alone, as couples and with family: ~1.4 residents a home.
    platform = await startDemoPlatform(Math.ceil(options.homes * 1.6) + 2, influx ? { influx: { version: 1, url: influx.url, database: 'anxin_soak' } } : {}, time.now);
    time.attach(platform);
    const manifest = await fetchDemoManifest(platform, options.homes);
    if (manifest.homes.length !== options.homes) throw new Error(`the demo has ${manifest.homes.length} homes, ${options.homes} asked for`);
    const devices = manifest.homes.reduce((n, h) => n + h.devices.length, 0);
    const run = await runScenario({
      brokerUrl: platform.mqttUrl,
      manifest,
      scenario: 'normal-day',
      days: options.days,
      speed: options.speed,
      seed: options.seed ?? 'normal-day-soak',
      now: time.fleetRealNow,
      wallNow: Date.now,
      // In the field a device publishes as it measures; the platform's rate limit is raised for acceleration (ACCELERATED_RATE_LIMIT).
      maxPublishPerS: Number.POSITIVE_INFINITY,
    });
    stopFleet = () => run.fleet.stop();
    time.follow(run.fleet, run.endAt);
    await waitFor(async () => (await run.fleet.stats()).online === devices, 120_000, 'every device online');
    time.release();

    // Progress from the bus in-process: polling /metrics over HTTP for an hour met a reset keep-alive socket.
    let taken = 0;
    const bus = platform.get(DomainEventBus);
    const count = (): void => void taken++;
    for (const type of ['TelemetryReceived', 'DeviceEventReceived', 'DeviceStatusReported'] as const) bus.subscribe(type, count);
    const progress = options.onProgress
      ? setInterval(() => options.onProgress?.({ simulatedDays: (time.now() - startAt) / DAY_MS, accepted: taken, realSeconds: (Date.now() - t0) / 1000 }), 1_000)
      : undefined;
    try {
      await run.fleet.done;
    } finally {
      if (progress) clearInterval(progress);
    }
    // Everything the devices produced reaches the platform before the verdict.
    if (!(await run.fleet.drain(120_000))) throw new Error('the fleet could not deliver its buffered messages within 2 minutes');
    const inbox = platform.get(DurableInbox);
    await waitFor(() => inbox.backlog() === 0, 120_000, () => `inbox backlog ${inbox.backlog()}`);
    const fleet = await run.fleet.stats();

    const homeIds = new Set(manifest.homes.map((h) => h.homeId));
    const residents = ((await (await platform.api('/api/residents?limit=500')).json()) as { items: { homeId: string }[] }).items.filter((r) => homeIds.has(r.homeId));
    const metrics = await (await platform.api('/metrics')).text();
    return {
      homes: manifest.homes.length,
      residents: residents.length,
      devices,
      nominalMessages: Math.round(
        manifest.homes
          .flatMap((h) => h.devices)
          .reduce((n, d) => {
            const type = getDeviceType(d.type);
            return n + (type.telemetryIntervalS ? DAY_MS / 1000 / type.telemetryIntervalS : 0) + DAY_MS / 1000 / type.heartbeatIntervalS;
          }, 0) * options.days,
      ),
      days: options.days,
      startAt: run.startAt,
      endAt: run.endAt,
      alerts: await allAlerts(platform),
      accepted: counterByLabel(metrics, 'anxin_ingest_accepted_total', 'channel'),
      rejected: counterByLabel(metrics, 'anxin_ingest_rejected_total', 'reason'),
      fleet,
      realSeconds: (Date.now() - t0) / 1000,
    };
  } finally {
    await stopFleet?.();
    await platform?.dispose();
    await influx?.dispose();
  }
}

/** Every alert stored, whoever it is for (newest first; the API pages at 1,000, more would already be a failed soak). */
async function allAlerts(platform: TestPlatform): Promise<SoakAlert[]> {
  const res = await platform.api('/api/alerts?limit=1000');
  if (!res.ok) throw new Error(`GET /api/alerts answered ${res.status}`);
  return ((await res.json()) as { items: SoakAlert[] }).items;
}

/** The values of one Prometheus counter, by one label, from the text exposition format. */
export function counterByLabel(exposition: string, name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  const line = new RegExp(`^${name}\\{[^}]*${label}="([^"]*)"[^}]*\\} ([0-9.e+]+)$`, 'gm');
  for (const m of exposition.matchAll(line)) out[m[1]!] = (out[m[1]!] ?? 0) + Number(m[2]);
  return out;
}
