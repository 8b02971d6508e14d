/**
 * Street responsibility in dispatch (issue 11, acceptance 5), through the
 * running dispatch service on the demo dataset: a fall is offered to a
 * provider contracted for the resident's street while one can reach within
 * 15 minutes, however near another provider is; when none of them can (here:
 * nobody of theirs on duty), to the nearest other provider of the district,
 * and the order's 派单依据 says which rule chose.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { providersToConsider } from '../../../src/dispatch/dispatch.service.js';
import { WorkOrderRepository } from '../../../src/dispatch/work-order.repository.js';
import { planDispatch } from '../../../src/domain/dispatch/dispatch-policy.js';
import { GeographyRepository } from '../../../src/registry/geography.repository.js';
import { DomainEventBus } from '../../../src/domain/events/event-bus.js';
import type { Resident } from '../../../src/domain/residents/resident.js';
import { ProviderDirectory } from '../../../src/providers/provider.directory.js';
import { ResidentRepository } from '../../../src/registry/resident.repository.js';
import { startTestPlatform, type TestPlatform } from '../../support/test-platform.js';
import { DEMO_CONFIG, eventually, makeFallAlert } from '../../e2e/dispatch/dispatch.fixtures.js';

let platform: TestPlatform;
let resident: Resident;

const SERVICES = ['remote_care', 'medical'] as const;

/** Providers contracted for the resident's street (either emergency service). */
function contractedFor(r: Resident): Set<string> {
  const directory = platform.get(ProviderDirectory);
  return new Set(SERVICES.flatMap((s) => directory.candidatesFor(r.streetCode, s).map((c) => c.provider.id)));
}

beforeAll(async () => {
  platform = await startTestPlatform({ config: DEMO_CONFIG });
  // A demo resident with a provider of the district, not contracted for the street, within 15 minutes of home.
  const repo = platform.get(ResidentRepository);
  const directory = platform.get(ProviderDirectory);
  for (const masked of (await repo.list({ limit: 500 })).items) {
    const r = (await repo.getById(masked.id, { unmasked: true })) as Resident;
    const home = r.homeId === null ? undefined : await platform.get(GeographyRepository).findHome(r.homeId);
    if (!home) continue;
    const contracted = contractedFor(r);
    const others = providersToConsider(directory, r, SERVICES, () => 0).filter((p) => !contracted.has(p.provider.id));
    if (planDispatch({ reason: 'fall', severity: 'critical', streetCode: r.streetCode, home }, others, Date.now()).candidates.length > 0) {
      resident = r;
      return;
    }
  }
  throw new Error('no demo resident with a non-contracted provider of the district within 15 minutes');
});

afterAll(async () => {
  await platform?.dispose();
});

async function firstOffer(alertAt: number): Promise<{ providerId: string; reason: string }> {
  const alert = makeFallAlert(resident.id, alertAt);
  platform.get(DomainEventBus).publish('AlertRaised', { type: 'AlertRaised', alert });
  const order = await eventually(async () => (await platform.get(WorkOrderRepository).byAlert(alert.id))[0]);
  const candidate = order.attempts[0]?.candidate;
  if (candidate === undefined) throw new Error(`no offer: ${JSON.stringify(order.coverageGap)}`);
  return { providerId: candidate.providerId, reason: candidate.reason };
}

it('offers a provider contracted for the street first, and says so', async () => {
  const contracted = contractedFor(resident);
  const offer = await firstOffer(Date.now());
  expect(contracted.has(offer.providerId)).toBe(true);
  expect(offer.reason).toMatch(/^签约本街道，/);
});

it('when no contracted provider can come, offers the nearest other provider of the district, and says why', async () => {
  const directory = platform.get(ProviderDirectory);
  const contracted = contractedFor(resident);
  for (const id of contracted) for (const s of directory.staffOf(id)) directory.applyStaff({ ...s, onDuty: false });

  const offer = await firstOffer(Date.now() + 1);
  expect(contracted.has(offer.providerId)).toBe(false);
  expect(directory.provider(offer.providerId)?.districtCode).toBe(resident.districtCode);
  expect(offer.reason).toMatch(/^签约机构均无法 15 分钟内到达，就近派单，/);
});
