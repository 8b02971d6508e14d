/**
 * Seeds the smallest registry an alert needs (district → street → community →
 * home → resident), through the registry repositories of a running platform.
 * Factories with overridable defaults (STYLE.md §15).
 */
import { GeographyRepository } from '../../../src/registry/geography.repository.js';
import { ResidentRepository, type NewResident } from '../../../src/registry/resident.repository.js';
import type { TestPlatform } from '../../support/test-platform.js';

export const HOME = { id: 'h-alert-1', communityCode: '420103001001', address: '长春社区3栋2单元402室', lat: 30.5782, lon: 114.2871, homeRadiusM: 80 } as const;

export function makeResident(overrides: Partial<NewResident> = {}): NewResident {
  return {
    id: 'r-alert-1',
    displayName: '张桂华',
    phoneLast4: '5678',
    birthYear: 1941,
    gender: 'female',
    capabilityLevel: 1,
    livingSituation: 'alone',
    conditions: ['hypertension'],
    emergencyContacts: [{ relation: '女儿', name: '李丽华', phone: '13912345678' }],
    communityCode: HOME.communityCode,
    homeId: HOME.id,
    createdAt: Date.UTC(2025, 0, 1),
    ...overrides,
  };
}

export async function seedResident(platform: TestPlatform, resident: NewResident = makeResident()): Promise<NewResident> {
  await platform.get(GeographyRepository).insertAll({
    districts: [{ code: '420103', name: '江汉区', adcode: '420103' }],
    streets: [{ code: '420103001', districtCode: '420103', name: '民族街道', lat: 30.577, lon: 114.288 }],
    communities: [{ code: HOME.communityCode, streetCode: '420103001', name: '长春社区', lat: 30.578, lon: 114.287 }],
    homes: [HOME],
  });
  await platform.get(ResidentRepository).insertMany([resident]);
  return resident;
}

/** Polls until `probe` returns a value (not undefined) or the time is up. */
export async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 3_000, stepMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
