/**
 * Runs one scenario (or all of them, one home each) over `days` simulated
 * days ending at the last local midnight, and returns the ground truth with
 * resident ids resolved.
 *
 * @example
 * const run = await runScenario({ brokerUrl, scenario: 'fall-at-night', manifest, speed: 600 });
 * await run.fleet.done; // simulated time reached the end
 * const result = checkScenario(run.expectation, alertsFromPlatform);
 */
import type { FleetManifest } from '../manifest/fleet-manifest.js';
import type { DayModifier } from '../household/household.js';
import { startFleet, type Fleet, type FleetOptions } from '../fleet/fleet.js';
import type { DeviceEffect } from '../fleet/sim-engine.js';
import { DAY_MS, localMidnight } from '../util/local-time.js';
import type { ScenarioExpectation } from './check-scenario.js';
import { compileScenario, mergeExpectations, type CompiledScenario, type ScenarioDefinition } from './scenario.js';
import { SCENARIOS, findScenario } from './scenario-library.js';

export interface ScenarioRunOptions extends Omit<FleetOptions, 'startAt' | 'endAt' | 'modifiers' | 'effects' | 'composition'> {
  /** A scenario name, 'all' (one home per scenario), or a definition outside the library (tests). */
  readonly scenario: string | ScenarioDefinition;
  /** Simulated days; the scenario happens on the last one (default 1). */
  readonly days?: number;
}

export interface ScenarioRun {
  readonly expectation: ScenarioExpectation;
  /** Which scenario each home plays (homes not listed live a normal day). */
  readonly assignments: readonly { readonly scenario: string; readonly homeId: string; readonly residentId: string }[];
  readonly startAt: number;
  readonly endAt: number;
  readonly fleet: Fleet;
}

/** Picks a home for each scenario (the first unused one with the devices it needs). */
export function assignHomes(manifest: FleetManifest, scenarios: readonly ScenarioDefinition[]): Map<string, ScenarioDefinition> {
  const used = new Map<string, ScenarioDefinition>();
  for (const s of scenarios) {
    const home = manifest.homes.find((h) => !used.has(h.homeId) && s.requires.every((t) => h.devices.some((d) => d.type === t)));
    if (!home) throw new Error(`no free home with ${s.requires.join(', ')} for scenario ${s.name}: add homes (--homes)`);
    used.set(home.homeId, s);
  }
  return used;
}

export async function runScenario(options: ScenarioRunOptions): Promise<ScenarioRun> {
  const days = options.days ?? 1;
  const speed = options.speed ?? 60;
  const realNow = (options.now ?? (() => Date.now()))();
  const endAt = localMidnight(realNow);
  const startAt = endAt - days * DAY_MS;
  const dayStart = endAt - DAY_MS;
  const scenarios = typeof options.scenario !== 'string' ? [options.scenario] : options.scenario === 'all' ? SCENARIOS : [findScenario(options.scenario)];
  const assignment = assignHomes(options.manifest, scenarios);
  // Real time at which the simulation reaches a simulated instant (mirrors SimClock.realAt).
  const realAt = (sim: number): number => Math.max(realNow + (sim - startAt) / speed, sim);

  const modifiers = new Map<string, readonly DayModifier[]>();
  const effects: DeviceEffect[] = [];
  const parts: (CompiledScenario & { residentId: string })[] = [];
  for (const home of options.manifest.homes) {
    const def = assignment.get(home.homeId);
    if (!def) {
      parts.push({ modifiers: [], effects: [], expected: [], forbidden: [], tolerated: [], residentId: home.residentId });
      continue;
    }
    const compiled = compileScenario(def, home, dayStart, realAt);
    modifiers.set(home.homeId, compiled.modifiers);
    effects.push(...compiled.effects);
    parts.push({ ...compiled, residentId: home.residentId });
  }
  const fleet = await startFleet({
    ...options,
    speed,
    startAt,
    endAt,
    modifiers,
    effects,
    // Scenario homes live alone so every reading is the resident's own; other homes are mixed.
    composition: (homeId) => (assignment.has(homeId) ? 'alone' : undefined),
  });
  return {
    expectation: mergeExpectations(typeof options.scenario === 'string' ? options.scenario : options.scenario.name, parts, startAt, Math.max(endAt, realAt(endAt) + 10 * 60_000)),
    assignments: [...assignment].map(([homeId, def]) => ({
      scenario: def.name,
      homeId,
      residentId: options.manifest.homes.find((h) => h.homeId === homeId)!.residentId,
    })),
    startAt,
    endAt,
    fleet,
  };
}
