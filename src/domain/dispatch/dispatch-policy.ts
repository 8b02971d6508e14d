/**
 * Dispatch policy: what an alert needs (service, priority, instructions) and
 * who can bring it within the 15-minute service circle (15分钟养老服务圈).
 * Pure: providers, staff positions and loads come in, ranked candidates or a
 * coverage-gap finding come out.
 */
import type { Priority, Severity } from '../alerts/alert.schema.js';
import type { GeoPoint, Provider, ServiceType, Staff, TravelMode } from './provider.schema.js';
import { SERVICE_TYPE_LABELS } from './provider.schema.js';
import type { Candidate, DispatchReason } from './work-order.schema.js';

export interface ServiceRequirement {
  /** Services any of which can answer, in order of preference. */
  readonly services: readonly ServiceType[];
  readonly priority: Priority;
  /** zh-CN, shown on the offer. */
  readonly instructions: readonly string[];
}

const FIRE_ADVICE = '请立即拨打119';
/** 一护: the responders of remote care and medical help, in that order. */
const EMERGENCY_SERVICES: readonly ServiceType[] = ['remote_care', 'medical'];
const P_RANK: Record<Priority, number> = { P1: 1, P2: 2, P3: 3 };
const critical = (s: Severity): boolean => s === 'critical';

/**
 * Alert kind → requirement. Life safety (fall, SOS, smoke, gas, water leak)
 * always asks for the emergency answer of 一护, a 远程照护 or 助医 responder,
 * never a meal or cleaning round that happens to be near: their staff are not
 * trained or equipped to evacuate a flat or lift a fallen elder. Smoke and gas
 * carry the 119 referral. Welfare signs are P1 when the rule judged them
 * critical, else P2; device upkeep and a missed meal are P3 service tasks.
 */
const REQUIREMENTS: Readonly<Record<DispatchReason, (severity: Severity) => ServiceRequirement>> = {
  // A fall the resident got up from inside its cancel window (downgraded to warning) is a welfare call.
  fall: (s) =>
    s === 'warning'
      ? { services: ['remote_care', 'medical'], priority: 'P2', instructions: ['老人跌倒后已自行起身或取消，请电话回访，必要时上门查看有无外伤'] }
      : { services: ['remote_care', 'medical'], priority: 'P1', instructions: ['上门查看老人有无外伤，必要时拨打120'] },
  sos: () => ({ services: ['remote_care', 'medical'], priority: 'P1', instructions: ['先电话联系老人，同时出发上门'] }),
  smoke: () => ({ services: EMERGENCY_SERVICES, priority: 'P1', instructions: [FIRE_ADVICE, '到场后协助老人撤离，勿乘电梯'] }),
  gas: () => ({ services: EMERGENCY_SERVICES, priority: 'P1', instructions: [FIRE_ADVICE, '勿开关电器、勿用明火，开窗通风'] }),
  vitals_out_of_range: (s) => ({ services: ['medical'], priority: critical(s) ? 'P1' : 'P2', instructions: ['上门复测生命体征'] }),
  apnea: (s) => ({ services: ['medical'], priority: critical(s) ? 'P1' : 'P2', instructions: ['上门查看呼吸情况，必要时拨打120'] }),
  bed_exit_no_return: (s) => ({ services: ['remote_care'], priority: critical(s) ? 'P1' : 'P2', instructions: ['离床未归，上门查看是否跌倒'] }),
  prolonged_inactivity: (s) => ({ services: ['remote_care'], priority: critical(s) ? 'P1' : 'P2', instructions: ['长时间无活动，先电话联系再上门'] }),
  bathroom_dwell: (s) => ({ services: ['remote_care'], priority: critical(s) ? 'P1' : 'P2', instructions: ['卫生间停留过久，上门查看是否跌倒'] }),
  night_wandering: (s) => ({ services: ['remote_care'], priority: critical(s) ? 'P1' : 'P2', instructions: ['夜间游走，上门陪护'] }),
  geofence_exit: (s) => ({ services: ['remote_care'], priority: critical(s) ? 'P1' : 'P2', instructions: ['老人离开安全区域，联系家属并协助寻找'] }),
  // A wet floor is where elders slip; the responder checks on the person first, the plumbing second.
  water_leak: () => ({ services: ['remote_care'], priority: 'P2', instructions: ['先电话联系老人，上门查看有无滑倒', '关闭总阀，必要时联系物业'] }),
  device_offline: () => ({ services: ['remote_care'], priority: 'P3', instructions: ['上门检查设备供电与网络'] }),
  low_battery: () => ({ services: ['remote_care'], priority: 'P3', instructions: ['上门更换电池或充电'] }),
  missed_meal: () => ({ services: ['meal'], priority: 'P3', instructions: ['老人未取餐，上门送餐并查看情况'] }),
};

/**
 * The requirement for an alert. Never less urgent than the priority the rule
 * engine already gave the alert (a rule may know more, e.g. a care plan).
 */
export function requirementFor(reason: DispatchReason, severity: Severity, alertPriority?: Priority): ServiceRequirement {
  const req = REQUIREMENTS[reason](severity);
  if (alertPriority !== undefined && P_RANK[alertPriority] < P_RANK[req.priority]) return { ...req, priority: alertPriority };
  return req;
}

export interface ReachConfig {
  /** km/h per travel mode (urban). */
  readonly speedsKmh: Readonly<Record<TravelMode, number>>;
  /** Road distance ≈ great-circle distance × this. */
  readonly roadFactor: number;
  /** The service circle: candidates beyond this are out of reach. */
  readonly maxTravelMinutes: number;
  /** A staff position older than this is ignored (the base is used instead). */
  readonly maxLocationAgeMs: number;
  /** At most this many candidates are kept on an order. */
  readonly maxCandidates: number;
}

export const DEFAULT_REACH: ReachConfig = {
  speedsKmh: { walk: 4.5, ebike: 15, car: 25 },
  roadFactor: 1.3,
  maxTravelMinutes: 15,
  maxLocationAgeMs: 30 * 60_000,
  maxCandidates: 5,
};

export const TRAVEL_MODE_LABELS: Readonly<Record<TravelMode, string>> = { walk: '步行', ebike: '电动车', car: '驾车' };

const EARTH_RADIUS_KM = 6371.0088;
const rad = (deg: number): number => (deg * Math.PI) / 180;

/** Great-circle (haversine) distance in km. */
export function greatCircleKm(a: GeoPoint, b: GeoPoint): number {
  const dLat = rad(b.lat - a.lat);
  const dLon = rad(b.lon - a.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

export interface Reach {
  readonly roadKm: number;
  readonly minutes: number;
}

/** Estimated road distance and travel time (exact minutes) between two points. */
export function estimateReach(from: GeoPoint, to: GeoPoint, mode: TravelMode, config: ReachConfig = DEFAULT_REACH): Reach {
  const roadKm = greatCircleKm(from, to) * config.roadFactor;
  return { roadKm, minutes: (roadKm / config.speedsKmh[mode]) * 60 };
}

/** A provider as the policy sees it: the registry row, its staff, its open orders. */
export interface ProviderAvailability {
  readonly provider: Provider;
  readonly staff: readonly Staff[];
  readonly openOrders: number;
}

export interface DispatchSubject {
  readonly reason: DispatchReason;
  readonly severity: Severity;
  readonly alertPriority?: Priority;
  readonly streetCode: string;
  readonly home: GeoPoint;
}

export interface CoverageGapFinding {
  readonly type: 'coverage_gap';
  readonly streetCode: string;
  readonly services: readonly ServiceType[];
  /** Why nobody qualified, zh-CN, e.g. "本街道无提供助医服务的机构" or "最近的机构约 23 分钟". */
  readonly reason: string;
  /** The fastest out-of-reach option (minutes, rounded up), if any provider had on-duty staff. */
  readonly nearestMinutes: number | null;
}

export interface DispatchPlan {
  readonly requirement: ServiceRequirement;
  /** The service the order is for: the first candidate's, else the preferred one. */
  readonly service: ServiceType;
  readonly candidates: readonly Candidate[];
  readonly coverageGap: CoverageGapFinding | null;
}

interface Measured {
  readonly candidate: Candidate;
  readonly exactMinutes: number;
}

/** Why a candidate is on the order: the street's own contract, or the wider search when no contracted provider can reach in time. */
type Basis = 'contracted' | 'nearest';

function measure(p: ProviderAvailability, service: ServiceType, home: GeoPoint, now: number, config: ReachConfig, basis: Basis): Measured | null {
  let best: { staff: Staff; origin: 'staff' | 'base'; reach: Reach } | null = null;
  for (const s of p.staff) {
    if (!s.onDuty || s.providerId !== p.provider.id) continue;
    const fresh = s.location !== null && now - s.location.at <= config.maxLocationAgeMs;
    const from = fresh && s.location ? s.location : p.provider.base;
    const reach = estimateReach(from, home, s.travelMode, config);
    if (best === null || reach.minutes < best.reach.minutes) best = { staff: s, origin: fresh ? 'staff' : 'base', reach };
  }
  if (best === null) return null;
  const distanceKm = Math.round(best.reach.roadKm * 10) / 10;
  const travelMinutes = Math.ceil(best.reach.minutes - 1e-9);
  const from = best.origin === 'base' ? '自机构出发，' : '';
  const rule = basis === 'contracted' ? '签约本街道，' : `签约机构均无法 ${config.maxTravelMinutes} 分钟内到达，就近派单，`;
  return {
    exactMinutes: best.reach.minutes,
    candidate: {
      providerId: p.provider.id,
      service,
      staffId: best.origin === 'staff' ? best.staff.id : null,
      origin: best.origin,
      travelMode: best.staff.travelMode,
      distanceKm,
      travelMinutes,
      openOrders: p.openOrders,
      reason: `${rule}${from}${distanceKm.toFixed(1)} km，${TRAVEL_MODE_LABELS[best.staff.travelMode]}约 ${travelMinutes} 分钟，当前 ${p.openOrders} 单在办`,
    },
  };
}

/**
 * Candidates: providers offering one of the required services, with at least
 * one on-duty staff member, reaching the home within the service circle.
 * Street responsibility first: the providers contracted for the resident's
 * street come first, whenever one of them reaches in time, even if another
 * provider is nearer; the others given (the district's) follow only when no
 * contracted provider can, and their reason says so. Reach is measured from
 * the nearest on-duty staff position (fresh), else the provider base. Within
 * a tier, ranked by reach in whole minutes (what the reason shows), then by
 * load, then by exact time, then id (deterministic). Nobody → a coverage-gap
 * finding for the duty officer.
 */
export function planDispatch(
  subject: DispatchSubject,
  providers: readonly ProviderAvailability[],
  now: number,
  config: ReachConfig = DEFAULT_REACH,
): DispatchPlan {
  const requirement = requirementFor(subject.reason, subject.severity, subject.alertPriority);
  const preferred = requirement.services[0] ?? 'remote_care';
  const offering = providers.filter((p) => requirement.services.some((s) => p.provider.services.includes(s)));
  const covering = offering.filter((p) => p.provider.streetCodes.includes(subject.streetCode));
  const contracted = measureAll(covering, requirement.services, subject.home, now, config, 'contracted');
  const others = offering.filter((p) => !p.provider.streetCodes.includes(subject.streetCode));
  const measured = [...contracted];
  let inReach = rank(contracted, config);
  if (inReach.length === 0) {
    const nearest = measureAll(others, requirement.services, subject.home, now, config, 'nearest');
    measured.push(...nearest);
    inReach = rank(nearest, config);
  }
  const first = inReach[0];
  if (first) return { requirement, service: first.service, candidates: inReach, coverageGap: null };

  const nearest = measured.length === 0 ? null : Math.min(...measured.map((m) => m.candidate.travelMinutes));
  const labels = requirement.services.map((s) => SERVICE_TYPE_LABELS[s]).join('/');
  const reason =
    covering.length === 0 && nearest === null
      ? `本街道无提供${labels}服务的机构`
      : nearest === null
        ? '覆盖本街道的机构当前无在岗人员'
        : `最近的在岗人员约 ${nearest} 分钟，超出 ${config.maxTravelMinutes} 分钟服务圈`;
  return {
    requirement,
    service: preferred,
    candidates: [],
    coverageGap: { type: 'coverage_gap', streetCode: subject.streetCode, services: requirement.services, reason, nearestMinutes: nearest },
  };
}

function measureAll(providers: readonly ProviderAvailability[], services: readonly ServiceType[], home: GeoPoint, now: number, config: ReachConfig, basis: Basis): Measured[] {
  const measured: Measured[] = [];
  for (const p of providers) {
    const service = services.find((s) => p.provider.services.includes(s));
    if (service === undefined) continue;
    const m = measure(p, service, home, now, config, basis);
    if (m) measured.push(m);
  }
  return measured;
}

function rank(measured: readonly Measured[], config: ReachConfig): Candidate[] {
  return measured
    .filter((m) => m.exactMinutes <= config.maxTravelMinutes)
    .sort(
      (a, b) =>
        a.candidate.travelMinutes - b.candidate.travelMinutes ||
        a.candidate.openOrders - b.candidate.openOrders ||
        a.exactMinutes - b.exactMinutes ||
        a.candidate.providerId.localeCompare(b.candidate.providerId),
    )
    .slice(0, config.maxCandidates)
    .map((m) => m.candidate);
}
