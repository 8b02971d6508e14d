/**
 * Issue 4, acceptance 1 (scenarios): every scenario of the library, each on
 * its own home, in one platform, over one simulated day at up to 720× (a day
 * in about three minutes of CI; the platform sets the pace, see
 * SimulatedTime); the alerts the platform raised for each scenario's
 * resident must be exactly the scenario's ground truth: none missed, none
 * unexpected. The normal-day home (and every scenario home outside its
 * scenario) checks that an ordinary day raises nothing.
 *
 * SIM_SPEED overrides the ceiling while iterating.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { checkScenario, type CheckResult } from '../../../firmware-sim/scenarios/check-scenario.js';
import { assignHomes, runScenario, type ScenarioRun } from '../../../firmware-sim/scenarios/run-scenario.js';
import { SCENARIOS } from '../../../firmware-sim/scenarios/scenario-library.js';
import { DurableInbox } from '../../../src/ingest/durable-inbox.js';
import type { TestPlatform } from '../../support/test-platform.js';
import { fetchDemoManifest, fetchScenarioAlerts, scenarioStart, SimulatedTime, startDemoPlatform, waitFor } from './simulation.fixtures.js';

const SPEED = Number(process.env['SIM_SPEED'] ?? 720);
/** Demo residents: enough homes that each scenario finds one with its devices (gas and water-leak sensors are in some homes only). */
const RESIDENTS = 60;

/** Asia/Shanghai wall-clock time, as the scenarios are written. */
function local(ts: number): string {
  return new Date(ts + 8 * 3_600_000).toISOString().slice(5, 19).replace('T', ' ');
}

describe(`the scenario library, one home per scenario, in one platform at up to ${SPEED}×`, () => {
  let platform: TestPlatform;
  let run: ScenarioRun;
  const results = new Map<string, CheckResult>();

  beforeAll(async () => {
    const time = new SimulatedTime(scenarioStart(1), SPEED);
    platform = await startDemoPlatform(RESIDENTS, {}, time.now);
    time.attach(platform);
    const all = await fetchDemoManifest(platform, RESIDENTS);
    const chosen = assignHomes(all, SCENARIOS);
    const manifest = { homes: all.homes.filter((h) => chosen.has(h.homeId)) };
    run = await runScenario({ brokerUrl: platform.mqttUrl, manifest, scenario: 'all', speed: SPEED, seed: 'scenario-library', now: time.fleetRealNow, wallNow: Date.now });
    time.follow(run.fleet, run.endAt);
    const devices = manifest.homes.reduce((n, h) => n + h.devices.length, 0);
    await waitFor(async () => (await run.fleet.stats()).online === devices, 60_000, 'every device online');
    time.release();
    await run.fleet.done;
    const inbox = platform.get(DurableInbox);
    await waitFor(() => inbox.backlog() === 0, 60_000, () => `inbox backlog ${inbox.backlog()}`);
    const alerts = await fetchScenarioAlerts(platform, run.expectation);
    for (const a of run.assignments) {
      const own = <T extends { residentId: string }>(xs: readonly T[]): T[] => xs.filter((x) => x.residentId === a.residentId);
      const e = run.expectation;
      results.set(a.scenario, checkScenario({ ...e, scenario: a.scenario, residentIds: [a.residentId], expected: own(e.expected), forbidden: own(e.forbidden), tolerated: own(e.tolerated) }, alerts));
    }
  }, 600_000);

  afterAll(async () => {
    await run?.fleet.stop();
    await platform?.dispose();
  }, 30_000);

  it.each(SCENARIOS.map((s) => [s.name]))('%s raises exactly its expected alerts', (name) => {
    const r = results.get(name);
    expect(r).toBeDefined();
    const summary = {
      missed: r!.missed.map((m) => `${m.kind} [${local(m.from)}, ${local(m.to)}]: ${m.note}`),
      unexpected: r!.unexpected.map((u) => `${u.alert.kind}/${u.alert.peakSeverity ?? u.alert.severity} at ${local(u.alert.firstRaisedAt)} (${u.reason})`),
    };
    expect(summary).toEqual({ missed: [], unexpected: [] });
  });
});
