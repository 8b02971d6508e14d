/**
 * Demo 三助一护 providers for the Wuhan demo geography: per district two or
 * three street-level centres (综合养老服务中心, 社区嵌入式养老服务站,
 * 居家养老服务中心) and one district-wide 医养结合服务中心 (助医 and
 * 远程照护), each with a dispatcher and two to five caregivers.
 * Deterministic: the same streets give the same providers, staff and ids.
 *
 * Coverage: a provider covers the streets of its district within
 * `DEMO_COVER_RADIUS_KM` of its base plus every street nearer to it than to
 * any other base, so every street has a 远程照护 provider within about 15
 * minutes by e-bike — except the deliberate gaps (`DEMO_COVERAGE_GAPS`,
 * 洪山区's far south and south-west), which no provider covers and no base is
 * near, so the dispatch policy's coverage-gap path and the KPIs show
 * something on the demo.
 */
import type { Provider, ServiceType, Staff, TravelMode } from '../../domain/dispatch/provider.schema.js';
import type { Street } from '../../registry/geography.repository.js';
import { SeededRandom } from '../../registry/demo/seeded-random.js';
import { CONTACT_GIVEN_NAMES, SURNAMES } from '../../registry/demo/wuhan-geography.js';

export const DEMO_PROVIDER_SEED = 20_260_101;
/**
 * A street within this great-circle distance of a base is covered by its
 * provider: 2.8 km × road factor 1.3 at 15 km/h by e-bike ≈ 14.6 min, inside
 * the 15-minute circle of the dispatch policy's DEFAULT_REACH.
 */
export const DEMO_COVER_RADIUS_KM = 2.8;

type Kind = 'comprehensive' | 'embedded' | 'home' | 'medical';

const KIND_SUFFIX: Readonly<Record<Kind, string>> = {
  comprehensive: '综合养老服务中心',
  embedded: '社区嵌入式养老服务站',
  home: '居家养老服务中心',
  medical: '医养结合服务中心',
};

const KIND_SERVICES: Readonly<Record<Kind, readonly ServiceType[]>> = {
  comprehensive: ['remote_care', 'meal', 'cleaning'],
  embedded: ['remote_care', 'meal'],
  home: ['remote_care', 'cleaning'],
  medical: ['medical', 'remote_care'],
};

interface PlannedProvider {
  /** ASCII key: provider id suffix and demo username prefix (pinyin of the anchor street). */
  readonly key: string;
  readonly kind: Kind;
  /** The base sits at the centroid of these streets; the first names the provider (except district-wide ones). */
  readonly anchors: readonly string[];
}

/** District adcode → district key and its providers. Anchors are real street names of wuhan-geography.ts. */
export const DEMO_PROVIDER_PLAN: Readonly<Record<string, { readonly key: string; readonly providers: readonly PlannedProvider[] }>> = {
  '420102': {
    key: 'jiangan',
    providers: [
      { key: 'yiyuan', kind: 'comprehensive', anchors: ['一元街道'] },
      { key: 'erqi', kind: 'embedded', anchors: ['二七街道'] },
      { key: 'qiuchang', kind: 'home', anchors: ['球场街道', '后湖街道'] },
      { key: 'jiangan-yiyang', kind: 'medical', anchors: ['丹水池街道', '谌家矶街道'] },
    ],
  },
  '420103': {
    key: 'jianghan',
    providers: [
      { key: 'minzu', kind: 'comprehensive', anchors: ['民族街道'] },
      { key: 'tangjiadun', kind: 'embedded', anchors: ['唐家墩街道'] },
      { key: 'jianghan-yiyang', kind: 'medical', anchors: ['新华街道'] },
    ],
  },
  '420104': {
    key: 'qiaokou',
    providers: [
      { key: 'hanzheng', kind: 'comprehensive', anchors: ['汉正街道'] },
      { key: 'gutian', kind: 'home', anchors: ['古田街道'] },
      { key: 'qiaokou-yiyang', kind: 'medical', anchors: ['宗关街道', '宝丰街道'] },
    ],
  },
  '420105': {
    key: 'hanyang',
    providers: [
      { key: 'qingchuan', kind: 'comprehensive', anchors: ['晴川街道'] },
      { key: 'qinduankou', kind: 'embedded', anchors: ['琴断口街道'] },
      { key: 'hanyang-yiyang', kind: 'medical', anchors: ['四新街道', '江堤街道'] },
    ],
  },
  '420106': {
    key: 'wuchang',
    providers: [
      { key: 'jiyuqiao', kind: 'comprehensive', anchors: ['积玉桥街道', '杨园街道'] },
      { key: 'zhongnanlu', kind: 'embedded', anchors: ['中南路街道'] },
      { key: 'ziyang', kind: 'home', anchors: ['紫阳街道'] },
      { key: 'wuchang-yiyang', kind: 'medical', anchors: ['石洞街道', '南湖街道'] },
    ],
  },
  '420107': {
    key: 'qingshan',
    providers: [
      { key: 'honggangcheng', kind: 'comprehensive', anchors: ['红钢城街道'] },
      { key: 'ganghuacun', kind: 'home', anchors: ['钢花村街道', '白玉山街道'] },
      { key: 'qingshan-yiyang', kind: 'medical', anchors: ['红卫路街道'] },
    ],
  },
  '420111': {
    key: 'hongshan',
    providers: [
      { key: 'luonan', kind: 'home', anchors: ['珞南街道'] },
      { key: 'guanshan', kind: 'embedded', anchors: ['关山街道'] },
      { key: 'zhangjiawan', kind: 'comprehensive', anchors: ['张家湾街道'] },
      { key: 'hongshan-yiyang', kind: 'medical', anchors: ['和平街道', '梨园街道'] },
    ],
  },
};

/** Streets deliberately left without a provider: nobody is within 15 minutes. */
export const DEMO_COVERAGE_GAPS: readonly { readonly districtCode: string; readonly streetName: string }[] = [
  { districtCode: '420111', streetName: '青菱街道' },
  { districtCode: '420111', streetName: '狮子山街道' },
];

export interface DemoProvider {
  readonly provider: Provider;
  readonly staff: readonly Staff[];
  /** ASCII key used for ids and demo usernames, e.g. 'minzu'. */
  readonly key: string;
}

export function demoProviderId(districtCode: string, key: string): string {
  return `prv-${districtCode}-${key}`;
}

export function demoStaffId(districtCode: string, key: string, n: number): string {
  return `stf-${districtCode}-${key}-${n}`;
}

/**
 * Builds the demo providers for the given streets and district names.
 * Districts without a plan are skipped. Throws when an anchor street is
 * missing (the plan and the geography must agree).
 */
export function buildDemoProviders(
  districts: readonly { readonly code: string; readonly name: string }[],
  streets: readonly Street[],
  seed = DEMO_PROVIDER_SEED,
): DemoProvider[] {
  const random = new SeededRandom(seed);
  const out: DemoProvider[] = [];
  for (const district of districts) {
    const plan = DEMO_PROVIDER_PLAN[district.code];
    if (!plan) continue;
    const gaps = new Set(DEMO_COVERAGE_GAPS.filter((g) => g.districtCode === district.code).map((g) => g.streetName));
    const own = streets.filter((s) => s.districtCode === district.code);
    const covered = own.filter((s) => !gaps.has(s.name));
    const byName = new Map(own.map((s) => [s.name, s]));
    const bases = plan.providers.map((p) => {
      const anchors = p.anchors.map((name) => {
        const street = byName.get(name);
        if (!street) throw new Error(`demo provider plan: street ${name} is not in district ${district.code}`);
        return street;
      });
      return { lat: round6(mean(anchors.map((a) => a.lat))), lon: round6(mean(anchors.map((a) => a.lon))) };
    });
    const nearestIndex = new Map(covered.map((s) => [s.code, argmin(bases.map((b) => distanceKm(b, s)))]));
    plan.providers.forEach((p, i) => {
      const base = bases[i]!;
      const districtWide = p.kind === 'medical';
      const streetCodes = covered
        .filter((s) => districtWide || p.anchors.includes(s.name) || nearestIndex.get(s.code) === i || distanceKm(base, s) <= DEMO_COVER_RADIUS_KM)
        .map((s) => s.code)
        .sort();
      const id = demoProviderId(district.code, p.key);
      const name = districtWide ? `${district.name}${KIND_SUFFIX.medical}` : `${district.name}${p.anchors[0]}${KIND_SUFFIX[p.kind]}`;
      const provider: Provider = {
        id,
        name,
        districtCode: district.code,
        services: [...KIND_SERVICES[p.kind]],
        streetCodes,
        base,
        // 027 is Wuhan's area code; 8-digit local numbers. Made up.
        dutyPhone: `027-${String(85_000_000 + random.int(0, 999_999)).padStart(8, '0')}`,
      };
      out.push({ provider, staff: buildStaff(random, district.code, p.key, id, districtWide), key: p.key });
    });
  }
  return out;
}

function buildStaff(random: SeededRandom, districtCode: string, key: string, providerId: string, districtWide: boolean): Staff[] {
  const caregivers = random.int(2, 5);
  const staff: Staff[] = [];
  for (let n = 0; n <= caregivers; n += 1) {
    const role = n === 0 ? 'dispatcher' : 'caregiver';
    // Caregiver 1 is always on duty and mobile (e-bike; the district-wide centre's
    // duty car) so every provider can answer within its streets; the others mostly are.
    const onDuty = n <= 1 || random.chance(0.8);
    const travelMode: TravelMode = role === 'dispatcher' ? 'walk' : n === 1 ? (districtWide ? 'car' : 'ebike') : random.chance(0.9) ? 'ebike' : 'walk';
    staff.push({
      id: demoStaffId(districtCode, key, n),
      providerId,
      name: `${random.pick(SURNAMES)}${random.pick(CONTACT_GIVEN_NAMES)}`,
      role,
      onDuty,
      travelMode,
      location: null,
    });
  }
  return staff;
}

/** Great-circle distance (haversine, mean Earth radius 6371 km). */
export function distanceKm(a: { readonly lat: number; readonly lon: number }, b: { readonly lat: number; readonly lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

function mean(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

function argmin(values: readonly number[]): number {
  let best = 0;
  values.forEach((v, i) => {
    if (v < (values[best] ?? Infinity)) best = i;
  });
  return best;
}
