/**
 * Test factory: a fleet on in-memory links, driven in simulated time without
 * waiting (SimEngine.runUntil). Devices are always reachable, acknowledge at
 * once and have no publish-rate limit.
 */
import { memoryLinkFactory, type MemoryDeviceLink, type RecordedPublish } from '../firmware/device-link.js';
import { SimEngine, type DeviceEffect, type SimEngineOptions } from '../fleet/sim-engine.js';
import type { Composition, DayModifier } from '../household/household.js';
import { buildDemoManifest, withDemoSecrets, type FleetManifest } from '../manifest/fleet-manifest.js';
import { SimClock } from '../util/sim-clock.js';

export interface VirtualFleet {
  readonly engine: SimEngine;
  readonly published: RecordedPublish[];
  readonly links: Map<string, MemoryDeviceLink>;
  readonly manifest: FleetManifest;
}

/** 2026-03-15 00:00 Asia/Shanghai. */
export const VIRTUAL_START = Date.UTC(2026, 2, 14, 16, 0, 0);

export function makeVirtualFleet(overrides: {
  homes?: number;
  seed?: string | number;
  startAt?: number;
  manifest?: FleetManifest;
  composition?: (homeId: string) => Composition | undefined;
  modifiers?: ReadonlyMap<string, readonly DayModifier[]>;
  effects?: readonly DeviceEffect[];
  extra?: Partial<SimEngineOptions>;
} = {}): VirtualFleet {
  const startAt = overrides.startAt ?? VIRTUAL_START;
  const manifest = overrides.manifest ?? withDemoSecrets(buildDemoManifest(overrides.homes ?? 1, overrides.seed ?? 1), 'test-key');
  const published: RecordedPublish[] = [];
  const links = new Map<string, MemoryDeviceLink>();
  // Real time far after the simulated span: simulated time is driven by runUntil only.
  const clock = new SimClock(startAt, 1, { now: () => startAt });
  const engine = new SimEngine({
    manifest,
    seed: overrides.seed ?? 1,
    clock,
    linkFactory: memoryLinkFactory((p) => published.push(p), links),
    maxPublishPerS: Number.POSITIVE_INFINITY,
    ...(overrides.composition ? { composition: overrides.composition } : {}),
    ...(overrides.modifiers ? { modifiers: overrides.modifiers } : {}),
    ...(overrides.effects ? { effects: overrides.effects } : {}),
    ...overrides.extra,
  });
  engine.powerOn();
  return { engine, published, links, manifest };
}
