/**
 * The demo dataset: Wuhan's seven central districts, about 300 residents aged
 * 65–98 in their homes, and the devices of a 智能家庭照护床位 installation in
 * every home. Deterministic for a given seed, seeded on first start only.
 *
 * DEMO MODE MUST NOT BE USED IN PRODUCTION. Demo device secrets are derived
 * from a configured demo key (`demoDeviceSecret`) so the simulator can connect
 * as any demo device: anyone who knows the key can impersonate every device.
 */
import { createHmac } from 'node:crypto';
import type { DeviceType } from '../../../devices/device-type.js';
import type { CapabilityLevel, EmergencyContact, Gender, LivingSituation, ResidentCondition } from '../../domain/residents/resident.js';
import { withTransaction, type RegistryDb } from '../database.js';
import { hashDeviceSecret, SECRET_ALGO } from '../device-secret.js';
import { DeviceRepository, type NewDevice } from '../device.repository.js';
import { GeographyRepository, type Community, type District, type Home, type Street } from '../geography.repository.js';
import { DEVICE_ID_PREFIXES } from '../provisioning.service.js';
import { ResidentRepository, type NewResident } from '../resident.repository.js';
import { SeededRandom } from './seeded-random.js';
import {
  COMMUNITY_NAME_ROOTS,
  COMMUNITY_NAME_SUFFIXES,
  CONTACT_GIVEN_NAMES,
  GIVEN_NAMES,
  SURNAMES,
  WUHAN_CENTRAL_DISTRICTS,
} from './wuhan-geography.js';

export const DEFAULT_DEMO_SEED = 20_250_101;
export const DEFAULT_DEMO_RESIDENTS = 300;
/** created_at of demo rows, fixed so that two seeds with the same options are identical. */
export const DEMO_EPOCH_MS = Date.UTC(2025, 0, 1);
export const DEMO_PROVISIONED_BY = 'demo-seed';

export interface SeedDemoOptions {
  /** Shared with the simulator; at least 16 characters. */
  readonly demoKey: string;
  readonly residents?: number;
  readonly seed?: number;
  /** created_at of every demo row; defaults to DEMO_EPOCH_MS. */
  readonly now?: number;
}

export interface SeedDemoResult {
  /** False when the registry already had districts and nothing was written. */
  readonly seeded: boolean;
  /** Rows inserted now (0 when not seeded). */
  readonly residents: number;
  readonly devices: number;
}

/**
 * The secret of a demo device: HMAC-SHA256(demoKey, deviceId), base64url
 * (43 characters, same shape as a provisioned secret). The simulator computes
 * the same value to connect.
 *
 * @example demoDeviceSecret(process.env.ANXIN_DEMO_KEY, 'bed-000001')
 */
export function demoDeviceSecret(demoKey: string, deviceId: string): string {
  return createHmac('sha256', demoKey).update(deviceId, 'utf8').digest('base64url');
}

/**
 * Seeds the demo dataset into an empty registry, all in one transaction.
 * Idempotent: does nothing when any district exists.
 */
export async function seedDemoData(db: RegistryDb, options: SeedDemoOptions): Promise<SeedDemoResult> {
  if (options.demoKey.length < 16) throw new RangeError('demo key must be at least 16 characters');
  const data = buildDemoDataset({
    residents: options.residents ?? DEFAULT_DEMO_RESIDENTS,
    seed: options.seed ?? DEFAULT_DEMO_SEED,
    now: options.now ?? DEMO_EPOCH_MS,
    demoKey: options.demoKey,
  });
  return withTransaction(db, async (trx) => {
    const geography = new GeographyRepository(trx);
    if ((await geography.countDistricts()) > 0) return { seeded: false, residents: 0, devices: 0 };
    await geography.insertAll(data);
    await new ResidentRepository(trx).insertMany(data.residents);
    await new DeviceRepository(trx).insertMany(data.devices);
    await trx
      .insertInto('meta')
      .values({
        key: 'demo_seed',
        value: JSON.stringify({ seed: options.seed ?? DEFAULT_DEMO_SEED, residents: data.residents.length, devices: data.devices.length }),
      })
      .execute();
    return { seeded: true, residents: data.residents.length, devices: data.devices.length };
  });
}

export interface DemoDataset {
  readonly districts: District[];
  readonly streets: Street[];
  readonly communities: Community[];
  readonly homes: Home[];
  readonly residents: NewResident[];
  readonly devices: NewDevice[];
}

const DEVICE_LABELS: Readonly<Record<DeviceType, string>> = {
  'care-bed': '智能护理床垫',
  wearable: '智能手环',
  'fall-radar': '跌倒监测雷达',
  'sos-button': '一键呼叫按钮',
  'smoke-detector': '烟雾报警器',
  'gas-detector': '燃气报警器',
  'water-leak': '水浸传感器',
  'door-contact': '门磁',
  'pir-motion': '人体红外感应器',
};

/** Per resident (worn or used by one person) and per home (fixed in the flat). */
const RESIDENT_DEVICES: readonly DeviceType[] = ['care-bed', 'wearable', 'sos-button'];
const HOME_DEVICES: readonly DeviceType[] = ['fall-radar', 'smoke-detector', 'door-contact', 'pir-motion'];

// Prevalence in urban Chinese people over 65, rounded (China Health and
// Retirement Longitudinal Study orders of magnitude); good enough for a demo.
const CONDITION_RATES: readonly (readonly [ResidentCondition, number])[] = [
  ['hypertension', 0.55],
  ['diabetes', 0.22],
  ['coronary_heart_disease', 0.15],
  ['osteoporosis', 0.18],
  ['COPD', 0.12],
  ['atrial_fibrillation', 0.08],
  ['bradycardia', 0.07],
  ['stroke_history', 0.08],
  ['heart_failure', 0.05],
  ['chronic_kidney_disease', 0.05],
  ['parkinsons', 0.03],
];

const MOBILE_PREFIXES = ['133', '135', '136', '137', '138', '139', '150', '153', '158', '159', '177', '180', '186', '187', '189', '199'] as const;
const CHILD_RELATIONS = ['儿子', '女儿', '孙子', '孙女'] as const;
const OTHER_RELATIONS = ['儿媳', '女婿', '侄子', '邻居', '社区网格员'] as const;

/** Pure: the same options always give the same dataset. */
export function buildDemoDataset(options: { residents: number; seed: number; now: number; demoKey: string }): DemoDataset {
  const rng = new SeededRandom(options.seed);
  const referenceYear = new Date(options.now).getUTCFullYear();
  const districts: District[] = [];
  const streets: Street[] = [];
  const communities: Community[] = [];

  for (const district of WUHAN_CENTRAL_DISTRICTS) {
    districts.push({ code: district.adcode, name: district.name, adcode: district.adcode });
    district.streets.forEach((street, i) => {
      const streetCode = `${district.adcode}${pad(i + 1, 3)}`;
      streets.push({ code: streetCode, districtCode: district.adcode, name: street.name, lat: street.lat, lon: street.lon });
      const used = new Set<string>();
      const count = rng.int(1, 3);
      for (let c = 0; c < count; c++) {
        let name: string;
        do name = rng.pick(COMMUNITY_NAME_ROOTS) + rng.pick(COMMUNITY_NAME_SUFFIXES);
        while (used.has(name));
        used.add(name);
        communities.push({
          code: `${streetCode}${pad(c + 1, 3)}`,
          streetCode,
          name,
          lat: round6(street.lat + rng.jitter(0.006)),
          lon: round6(street.lon + rng.jitter(0.006)),
        });
      }
    });
  }

  const homes: Home[] = [];
  const residents: NewResident[] = [];
  const devices: NewDevice[] = [];
  const device = (type: DeviceType, seq: number, residentId: string | null, homeId: string): NewDevice => {
    const id = `${DEVICE_ID_PREFIXES[type]}-${pad(seq, 6)}`;
    return {
      id,
      type,
      secretHash: hashDeviceSecret(demoDeviceSecret(options.demoKey, id)),
      secretAlgo: SECRET_ALGO,
      residentId,
      homeId,
      label: DEVICE_LABELS[type],
      createdAt: options.now,
      provisionedBy: DEMO_PROVISIONED_BY,
    };
  };

  while (residents.length < options.residents) {
    const community = rng.pick(communities);
    const homeSeq = homes.length + 1;
    const home: Home = {
      id: `h-${pad(homeSeq, 6)}`,
      communityCode: community.code,
      address: `${community.name}${rng.int(1, 30)}栋${rng.int(1, 4)}单元${rng.int(1, 18)}${pad(rng.int(1, 6), 2)}室`,
      lat: round6(community.lat + rng.jitter(0.0025)),
      lon: round6(community.lon + rng.jitter(0.0025)),
      homeRadiusM: rng.pick([50, 80, 100, 120, 150]),
    };
    homes.push(home);

    let living = rng.weighted<LivingSituation>([['alone', 35], ['couple', 35], ['with_family', 30]]);
    if (living === 'couple' && options.residents - residents.length < 2) living = 'alone';
    const genders: Gender[] = living === 'couple' ? ['male', 'female'] : [rng.chance(0.58) ? 'female' : 'male'];
    const husbandSurname = rng.pick(SURNAMES);

    for (const gender of genders) {
      const seq = residents.length + 1;
      const resident = makeDemoResident(rng, {
        id: `r-${pad(seq, 6)}`,
        gender,
        surname: gender === 'male' ? husbandSurname : rng.pick(SURNAMES),
        childSurname: gender === 'male' || living === 'couple' ? husbandSurname : rng.pick(SURNAMES),
        living,
        referenceYear,
        communityCode: community.code,
        homeId: home.id,
        createdAt: options.now,
      });
      residents.push(resident);
      for (const type of RESIDENT_DEVICES) devices.push(device(type, seq, resident.id, home.id));
    }
    for (const type of HOME_DEVICES) devices.push(device(type, homeSeq, null, home.id));
    if (rng.chance(0.4)) devices.push(device('gas-detector', homeSeq, null, home.id));
    if (rng.chance(0.3)) devices.push(device('water-leak', homeSeq, null, home.id));
  }

  return { districts, streets, communities, homes, residents, devices };
}

function makeDemoResident(
  rng: SeededRandom,
  p: {
    id: string;
    gender: Gender;
    surname: string;
    childSurname: string;
    living: LivingSituation;
    referenceYear: number;
    communityCode: string;
    homeId: string;
    createdAt: number;
  },
): NewResident {
  // Skewed towards the younger old, as the population is: 65–98.
  const age = 65 + Math.floor(34 * rng.next() ** 1.7);
  const conditions: ResidentCondition[] = CONDITION_RATES.filter(([, rate]) => rng.chance(rate)).map(([c]) => c);
  // Dementia prevalence roughly doubles every five years after 65.
  if (rng.chance(Math.min(0.4, 0.02 * 2 ** ((age - 65) / 5)))) conditions.push('dementia');

  let level = rng.weighted<CapabilityLevel>([[0, 38], [1, 30], [2, 18], [3, 9], [4, 5]]);
  if (age >= 85 && level < 4 && rng.chance(0.35)) level = (level + 1) as CapabilityLevel;
  if (conditions.includes('dementia') && level < 2) level = 2;

  const contacts: EmergencyContact[] = [];
  const contactCount = p.living === 'alone' ? rng.int(1, 3) : rng.int(1, 2);
  for (let i = 0; i < contactCount; i++) {
    const child = i === 0 || rng.chance(0.6);
    const relation = child ? rng.pick(CHILD_RELATIONS) : rng.pick(OTHER_RELATIONS);
    contacts.push({
      relation,
      name: (child ? p.childSurname : rng.pick(SURNAMES)) + rng.pick(CONTACT_GIVEN_NAMES),
      // "0000" in the middle four digits: visibly demo numbers that still mask as 138****1234.
      phone: `${rng.pick(MOBILE_PREFIXES)}0000${pad(rng.int(0, 9999), 4)}`,
    });
  }

  return {
    id: p.id,
    displayName: p.surname + rng.pick(GIVEN_NAMES[p.gender]),
    phoneLast4: rng.chance(0.6) ? pad(rng.int(0, 9999), 4) : null,
    birthYear: p.referenceYear - age,
    gender: p.gender,
    capabilityLevel: level,
    livingSituation: p.living,
    conditions,
    emergencyContacts: contacts,
    communityCode: p.communityCode,
    homeId: p.homeId,
    createdAt: p.createdAt,
  };
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
