/**
 * Factories for registry integration tests (STYLE.md §15): real SQLite files
 * in a temp dir, and records with overridable defaults.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewResident } from '../../../src/registry/resident.repository.js';
import type { Community, District, Home, Street } from '../../../src/registry/geography.repository.js';
import { openRegistryDatabase, type RegistryDb } from '../../../src/registry/database.js';
import { GeographyRepository } from '../../../src/registry/geography.repository.js';
import { ResidentRepository } from '../../../src/registry/resident.repository.js';

export const T0 = Date.UTC(2025, 0, 1);

export interface TempDir {
  readonly dir: string;
  file(name: string): string;
  remove(): void;
}

export function makeTempDir(): TempDir {
  const dir = mkdtempSync(join(tmpdir(), 'anxin-registry-'));
  return { dir, file: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function openTempRegistry(tmp: TempDir, name = 'registry.sqlite'): Promise<RegistryDb> {
  return openRegistryDatabase({ filename: tmp.file(name) });
}

export function makeDistrict(overrides: Partial<District> = {}): District {
  return { code: '420103', name: '江汉区', adcode: '420103', ...overrides };
}

export function makeStreet(overrides: Partial<Street> = {}): Street {
  return { code: '420103001', districtCode: '420103', name: '民族街道', lat: 30.577, lon: 114.288, ...overrides };
}

export function makeCommunity(overrides: Partial<Community> = {}): Community {
  return { code: '420103001001', streetCode: '420103001', name: '长春社区', lat: 30.578, lon: 114.287, ...overrides };
}

export function makeHome(overrides: Partial<Home> = {}): Home {
  return { id: 'h-test-1', communityCode: '420103001001', address: '长春社区3栋2单元402室', lat: 30.5782, lon: 114.2871, homeRadiusM: 80, ...overrides };
}

export function makeResident(overrides: Partial<NewResident> = {}): NewResident {
  return {
    id: 'r-test-1',
    displayName: '张桂华',
    phoneLast4: '5678',
    birthYear: 1941,
    gender: 'female',
    capabilityLevel: 1,
    livingSituation: 'alone',
    conditions: ['hypertension', 'bradycardia'],
    emergencyContacts: [{ relation: '女儿', name: '李丽华', phone: '13912345678' }],
    communityCode: '420103001001',
    homeId: 'h-test-1',
    createdAt: T0,
    ...overrides,
  };
}

/**
 * Two districts, one street and community each, one home and one resident in
 * the first: 江汉区/民族街道 and 武昌区/积玉桥街道.
 */
export async function seedSmallGeography(db: RegistryDb): Promise<void> {
  await new GeographyRepository(db).insertAll({
    districts: [makeDistrict(), makeDistrict({ code: '420106', name: '武昌区', adcode: '420106' })],
    streets: [makeStreet(), makeStreet({ code: '420106001', districtCode: '420106', name: '积玉桥街道', lat: 30.563, lon: 114.301 })],
    communities: [makeCommunity(), makeCommunity({ code: '420106001001', streetCode: '420106001', name: '和平社区', lat: 30.564, lon: 114.302 })],
    homes: [makeHome(), makeHome({ id: 'h-test-2', communityCode: '420106001001', address: '和平社区1栋1单元101室', lat: 30.5641, lon: 114.3021 })],
  });
  await new ResidentRepository(db).insertMany([makeResident()]);
}
