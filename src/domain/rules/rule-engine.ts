/**
 * Turns domain events into alert changes. Framework-free: the backend
 * subscribes it to the DomainEventBus, publishes the returned AlertChanges,
 * calls `advanceTo(now)` on a timer, and persists `snapshot()` periodically
 * and on shutdown.
 *
 * Time. Rules run on EVENT time (device `ts`). Each resident has a watermark =
 * max ts seen − `latenessMs` (bounded lateness, default 2 min).
 * - Event rules (fall, SOS, smoke, gas, water leak, apnea) always run, whatever
 *   the lateness: a fall in a batch uploaded after an outage still raises,
 *   with its original ts.
 * - Window and state rules (vital means, bathroom zone, geofence) place a
 *   sample within the lateness in ts order; a sample older than the watermark
 *   is left out of them. Such a sample comes from a batch upload while the
 *   resident's other devices kept the watermark moving: its window is in the
 *   past and the current data already decided it, so evaluating it now would
 *   raise stale alerts that the next live sample clears. (A device that is the
 *   resident's only source is never "late": its batch is newer than the watermark
 *   and is evaluated in order.) Activity in a late sample still counts.
 * - Absence deadlines (bed exit, bathroom, night wandering, inactivity,
 *   snooze expiry) fire when EITHER clock passes them, whichever is first: the
 *   resident's watermark (devices keep it moving, heartbeats included), or
 *   server time given to `advanceTo(now)` — the backstop for a home whose
 *   devices all went silent. The alert's time is the deadline itself. Server
 *   time gets no lateness allowance (a silent home must not wait); a contrary
 *   sample that arrives later auto-clears the alert (all absence kinds are
 *   auto-clear).
 * - Except while a home catches up on a backlog (followArrival): then only
 *   its own timeline counts, as far as its data reaches, and what its absence
 *   and vitals rules raise is held from dispatch until it has caught up.
 */
import { deviceCatalogue } from '../../../devices/catalogue.js';
import {
  ALERT_KIND_POLICY,
  alertKey,
  type AlertChange,
  type AlertKind,
  type AlertSubject,
  type AlertTrigger,
  type Evidence,
  type EvidenceSample,
  type Severity,
  type Vital,
} from '../alerts/alert.schema.js';
import { AlertBook, type Clock, type IdGenerator } from '../alerts/alert-book.js';
import type { CarePlan, CapabilityLevel } from '../care-plans/care-plan.schema.js';
import { resolveRuleSettings } from '../care-plans/resolve-rule-settings.js';
import { DEFAULT_RULE_SETTINGS, type RuleSettings } from '../care-plans/rule-settings.js';
import type {
  DeviceBinding,
  DeviceEventReceived,
  DeviceStatusReported,
  DeviceWentOffline,
  DeviceWentOnline,
  TelemetryReceived,
} from '../events/domain-events.js';
import { attributeDeviceInput } from '../residents/home-residents.js';
import { addActiveTime, isInLocalWindow } from './local-time.js';
import { addSample, createRollingMean, liveSamples, mean, observeCadence, oldestTs, sampleCount } from './rolling-mean.js';
import {
  createResidentRuleState,
  ruleEngineSnapshotSchema,
  type ResidentRuleState,
  type RuleEngineSnapshot,
} from './rule-engine.snapshot.js';
import { classifyVital, describeVital, judgingWindow, roundTo } from './vital-bands.js';

/** What the engine needs to know about a resident; the backend looks it up (and caches it). */
export interface ResidentRuleContext {
  readonly residentId: string;
  /** IANA zone from the district config, e.g. 'Asia/Shanghai'. */
  readonly timeZone: string;
  readonly capabilityLevel: CapabilityLevel;
  readonly home: { readonly lat: number; readonly lon: number; readonly radiusM: number };
  /** Must bump `version` on every change (applyCarePlanChange does): resolved settings are cached by it. */
  readonly carePlan: CarePlan | undefined;
}

export interface RuleEngineDeps {
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly residentContext: (residentId: string) => ResidentRuleContext | undefined;
  /** District defaults; DEFAULT_RULE_SETTINGS when omitted. */
  readonly settings?: RuleSettings;
  /**
   * The residents living in a home, primary first (orderHomeResidents). Home
   * devices (radar, PIR, door contact, detectors) are bound to the home, not
   * to a person; without this lookup their readings reach no resident's rules
   * and their alerts reach no one.
   */
  readonly residentsOfHome?: (homeId: string) => readonly string[];
}

/**
 * Events of a home device that describe one condition of the home, not of a
 * person: raised once, for the home's primary resident (dispatch goes to the
 * home either way). The device's own health (status: low battery; offline,
 * online) is likewise raised once, for the primary resident. Everything else a
 * home device reports (movement, presence, zone, door, bed) is every
 * resident's: in a couple's home the radar cannot tell who is in the
 * bathroom, so both are watched.
 */
const ONCE_PER_HOME_EVENTS = new Set(['fall', 'smoke', 'gas', 'water_leak', 'smoke_cleared', 'gas_cleared', 'water_leak_cleared']);

/** Bumped when a rule's logic changes, so evidence says which logic decided. */
export const RULE_VERSION = 1;

const MIN = 60_000;
/** Device types whose silence leaves a life-safety gap. */
const LIFE_SAFETY_DEVICES = new Set(['sos-button', 'fall-radar', 'wearable', 'smoke-detector', 'gas-detector']);
/**
 * Conditions of a home's own timeline that a backlog can start and end
 * within: raised while it catches up, they are held (history if they end
 * inside it, dispatched once it has caught up if not). Events (a fall, an
 * SOS, a gas alarm, an apnea) are never held, however old: a person may still
 * be on the floor. Nor is a device going offline, which is about now.
 */
const HELD_WHILE_CATCHING_UP: ReadonlySet<AlertKind> = new Set(
  (Object.keys(ALERT_KIND_POLICY) as AlertKind[]).filter((k) => {
    const p = ALERT_KIND_POLICY[k];
    return p.sustained && p.autoClear && !p.lifeSafety && k !== 'device_offline';
  }),
);

const CATCH_UP = {
  /** No reading for this long (server time): the upload stalled. */
  quietMs: 60_000,
  /** The longest a home counts as catching up in one go. */
  maxMs: 15 * MIN,
} as const;

const OFFLINE_REASON_ZH: Record<DeviceWentOffline['reason'], string> = {
  last_will: '异常断开',
  missed_heartbeats: '心跳超时',
  disconnected: '主动断开',
};

interface Scope {
  readonly rs: ResidentRuleState;
  readonly ctx: ResidentRuleContext | undefined;
  readonly settings: RuleSettings;
}

export class RuleEngine {
  readonly alerts: AlertBook;
  private readonly defaults: RuleSettings;
  private readonly residents = new Map<string, ResidentRuleState>();
  private readonly settingsCache = new Map<string, { key: string; settings: RuleSettings }>();
  private readonly inactivityDueCache = new Map<string, { key: string; dueAt: number }>();

  constructor(private readonly deps: RuleEngineDeps) {
    this.alerts = new AlertBook({ clock: deps.clock, ids: deps.ids });
    this.defaults = deps.settings ?? DEFAULT_RULE_SETTINGS;
  }

  // ---------------------------------------------------------------- inputs

  onTelemetry(e: TelemetryReceived): AlertChange[] {
    return this.forHome(e, false, (x) => this.onResidentTelemetry(x));
  }

  private onResidentTelemetry(e: TelemetryReceived): AlertChange[] {
    const scope = this.scopeFor(e);
    if (!scope?.ctx) return [];
    const { rs } = scope;
    const late = this.isLate(rs, scope.settings, e.ts);
    this.observe(rs, e.ts, e.receivedAt);
    const out: AlertChange[] = this.followArrival(scope, e.receivedAt);
    const m = e.metrics;

    switch (e.deviceType) {
      case 'care-bed': {
        if (m['inBed'] === true) out.push(...this.noteBedReturn(scope, e.ts), ...this.notePresence(scope, e.ts));
        if (num(m['movement']) > 0) out.push(...this.noteActivity(scope, e.ts));
        // Decoding already drops an empty bed's vital signs (the catalogue's `onlyWhile`);
        // kept for inbox entries stored before it did, which a crash replay may feed again.
        if (!late && m['inBed'] !== false) {
          for (const vital of ['heartRate', 'respirationRate'] as const) {
            const v = m[vital];
            if (typeof v === 'number' && v > 0) out.push(...this.onVitalSample(scope, e, vital, v));
          }
        }
        break;
      }
      case 'wearable': {
        out.push(...this.noteSteps(scope, e));
        if (!late) {
          for (const vital of ['heartRate', 'spo2', 'skinTemp'] as const) {
            const v = m[vital];
            if (typeof v === 'number' && v > 0) out.push(...this.onVitalSample(scope, e, vital, v));
          }
          out.push(...this.onPosition(scope, e));
        }
        break;
      }
      case 'fall-radar': {
        if (m['posture'] === 'standing') out.push(...this.noteFallCancel(scope, e.ts, 'standing', e.deviceId));
        if (num(m['movement']) > 0) out.push(...this.noteActivity(scope, e.ts));
        if (m['presence'] === true && m['zone'] !== 'none') out.push(...this.notePresence(scope, e.ts));
        if (!late) out.push(...this.onZone(scope, e));
        break;
      }
      case 'pir-motion': {
        if (num(m['motionCount']) > 0) out.push(...this.noteActivity(scope, e.ts), ...this.notePresence(scope, e.ts));
        break;
      }
      case 'door-contact':
      case 'sos-button':
      case 'smoke-detector':
      case 'gas-detector':
      case 'water-leak':
        // Door state changes arrive as door_open / door_close events; detector
        // levels (smokeObscuration, gasLel) are alarmed by the device itself.
        break;
    }
    out.push(...this.checkDeadlines(scope, this.watermark(rs, scope.settings)));
    return out;
  }

  onDeviceEvent(e: DeviceEventReceived): AlertChange[] {
    return this.forHome(e, ONCE_PER_HOME_EVENTS.has(e.event), (x) => this.onResidentEvent(x));
  }

  private onResidentEvent(e: DeviceEventReceived): AlertChange[] {
    const scope = this.scopeFor(e);
    if (!scope) return this.onHomeOnlyEvent(e);
    const { rs, settings } = scope;
    this.observe(rs, e.ts, e.receivedAt);
    const out: AlertChange[] = this.followArrival(scope, e.receivedAt);
    const ev = e.event;
    const d = e.details;

    switch (ev) {
      case 'fall':
        out.push(...this.onFall(scope, e));
        break;
      case 'sos':
        out.push(
          ...this.raise(scope, {
            ...subjectOf(e, 'sos'),
            severity: 'critical',
            priority: 'P1',
            at: e.ts,
            evidence: evidence('sos.event', {}, [sampleOf(e, 'sos', true)], 'SOS 紧急呼叫按钮被按下'),
          }),
        );
        if (rs.fallWindow && e.ts >= rs.fallWindow.since) out.push(...this.confirmFall(scope, '居民按下 SOS，已确认'));
        break;
      case 'im_ok':
        // An SOS is a person asking for help: im_ok never cancels it.
        out.push(...this.noteActivity(scope, e.ts), ...this.noteFallCancel(scope, e.ts, 'im_ok', e.deviceId));
        break;
      case 'smoke':
      case 'gas':
      case 'water_leak':
        out.push(...this.raise(scope, this.hazardTrigger(e, ev)));
        break;
      case 'smoke_cleared':
      case 'gas_cleared':
      case 'water_leak_cleared': {
        const kind = ev.replace('_cleared', '') as 'smoke' | 'gas' | 'water_leak';
        out.push(...this.endCondition(scope, subjectOf(e, kind), e.ts, '设备报告已恢复正常'));
        break;
      }
      case 'apnea':
        out.push(...this.onApnea(scope, e, num(d['durationS'])));
        break;
      case 'bed_exit':
        out.push(...this.noteActivity(scope, e.ts));
        if (scope.ctx && isInLocalWindow(e.ts, scope.ctx.timeZone, settings.nightWindow)) {
          const returnedAfter = rs.lastBedReturnTs !== null && rs.lastBedReturnTs > e.ts;
          if (!rs.bedExit && !returnedAfter) {
            rs.bedExit = { exitTs: e.ts, dueAt: e.ts + settings.bedExit.noReturnAfterMs, deviceId: e.deviceId, raised: false };
          }
        }
        break;
      case 'bed_enter':
        out.push(...this.noteActivity(scope, e.ts), ...this.noteBedReturn(scope, e.ts), ...this.notePresence(scope, e.ts));
        break;
      case 'door_open':
        out.push(...this.noteActivity(scope, e.ts));
        if (scope.ctx && !rs.wandering && isInLocalWindow(e.ts, scope.ctx.timeZone, settings.nightWindow)) {
          rs.wandering = {
            openTs: e.ts,
            dueAt: e.ts + settings.nightWandering.noReturnAfterMs,
            closeTs: null,
            deviceId: e.deviceId,
            raised: false,
          };
        }
        break;
      case 'door_close':
        out.push(...this.noteActivity(scope, e.ts));
        if (rs.wandering && e.ts > rs.wandering.openTs) {
          rs.wandering.closeTs = Math.max(rs.wandering.closeTs ?? e.ts, e.ts);
        }
        break;
      case 'motion':
        out.push(...this.noteActivity(scope, e.ts), ...this.notePresence(scope, e.ts));
        break;
      default:
        // self_test and events no rule reads.
        break;
    }
    out.push(...this.checkDeadlines(scope, this.watermark(rs, settings)));
    return out;
  }

  onStatus(e: DeviceStatusReported): AlertChange[] {
    return this.forHome(e, true, (x) => this.onResidentStatus(x));
  }

  private onResidentStatus(e: DeviceStatusReported): AlertChange[] {
    const scope = this.scopeFor(e);
    const out: AlertChange[] = [];
    if (scope) {
      this.observe(scope.rs, e.ts, e.receivedAt);
      out.push(...this.followArrival(scope, e.receivedAt));
    }
    if (typeof e.battery === 'number') out.push(...this.onBattery(scope, e, e.battery));
    if (scope?.ctx) out.push(...this.checkDeadlines(scope, this.watermark(scope.rs, scope.settings)));
    return out;
  }

  onDeviceOffline(e: DeviceWentOffline): AlertChange[] {
    return this.forHome(e, true, (x) => this.onResidentDeviceOffline(x));
  }

  private onResidentDeviceOffline(e: DeviceWentOffline): AlertChange[] {
    const scope = this.scopeFor(e);
    const lifeSafety = LIFE_SAFETY_DEVICES.has(e.deviceType);
    const trigger: AlertTrigger = {
      ...subjectOf(e, 'device_offline'),
      severity: lifeSafety ? 'major' : 'minor',
      priority: lifeSafety ? 'P2' : 'P3',
      at: e.at,
      evidence: evidence(
        'device.offline',
        e.lastSeenAt !== null ? { lastSeenAt: e.lastSeenAt } : {},
        [{ ts: e.at, deviceId: e.deviceId, metric: 'online', value: false }],
        `设备离线（${OFFLINE_REASON_ZH[e.reason]}）`,
      ),
    };
    return scope ? this.raise(scope, trigger) : this.alerts.trigger(trigger);
  }

  onDeviceOnline(e: DeviceWentOnline): AlertChange[] {
    return this.forHome(e, true, (x) => this.onResidentDeviceOnline(x));
  }

  private onResidentDeviceOnline(e: DeviceWentOnline): AlertChange[] {
    const scope = this.scopeFor(e);
    const subject = subjectOf(e, 'device_offline');
    return scope ? this.endCondition(scope, subject, e.at, '设备已恢复在线') : this.alerts.endCondition(subject, e.at, '设备已恢复在线');
  }

  /** Server-time tick: fires every deadline at or before max(now, resident watermark). */
  advanceTo(now: number): AlertChange[] {
    const out: AlertChange[] = [];
    for (const rs of this.residents.values()) {
      const ctx = this.deps.residentContext(rs.residentId);
      if (!ctx) {
        // No rules to run for someone the registry no longer knows, but what already ended still clears.
        out.push(...this.alerts.settleEnded(rs, now, this.defaults.episodeMergeMs));
        continue;
      }
      const scope: Scope = { rs, ctx, settings: this.settingsFor(ctx) };
      out.push(...this.followArrival(scope, now));
      // A home catching up is judged on its own timeline: server time would
      // pass every deadline of the backlog at once (the alert storm).
      const watermark = this.watermark(rs, scope.settings);
      out.push(...this.checkDeadlines(scope, rs.catchUpSince !== null ? watermark : Math.max(now, watermark)));
    }
    return out;
  }

  snapshot(): RuleEngineSnapshot {
    return structuredClone({
      version: 1 as const,
      takenAt: this.deps.clock.now(),
      residents: [...this.residents.values()],
      alerts: this.alerts.snapshot(),
    });
  }

  /** Replaces all state; throws (zod) on a malformed snapshot and then changes nothing. */
  restore(snapshot: unknown): void {
    const parsed = ruleEngineSnapshotSchema.parse(snapshot);
    this.alerts.restore(parsed.alerts);
    this.residents.clear();
    this.settingsCache.clear();
    this.inactivityDueCache.clear();
    for (const rs of parsed.residents) this.residents.set(rs.residentId, rs);
  }

  // ------------------------------------------------------------ event rules

  /**
   * A fall seen by one device waits out its cancel window (per care plan,
   * default 30 s) as 待确认 before anyone is paged: Lifeline waits about as
   * long for self-recovery and Vayyar confirms a fall for as long, and a
   * caregiver paged and un-paged within seconds learns to ignore pages. It is
   * confirmed at once when a second device reports the same fall or the
   * resident presses SOS; at the end of the window when nobody got up
   * (checkDeadlines); never when the resident got up or pressed im_ok inside
   * it (self-recovered: downgraded, a welfare call rather than a P1).
   */
  private onFall(scope: Scope, e: DeviceEventReceived): AlertChange[] {
    const { rs, settings } = scope;
    const confidence = e.details['confidence'];
    const zone = e.details['zone'];
    const windowMs = settings.fall.cancelWindowMs;
    // A window whose alert a person already cleared is over: a fall after that is a new one.
    const w = rs.fallWindow && this.alerts.findActive(this.residentSubject(rs, 'fall', null)) ? rs.fallWindow : null;
    const open = w && e.ts >= w.since && e.ts <= w.until ? w : null;
    // A second report of the same fall (radar + wearable within seconds) is
    // the same alert (count 2); inside a window the resident already
    // cancelled, it must not re-escalate.
    const alreadyCancelled = open?.cancelled === true;
    const parts = ['跌倒报警'];
    if (typeof confidence === 'number') parts.push(`置信度 ${confidence}`);
    if (typeof zone === 'string') parts.push(ZONE_ZH[zone] ?? zone);
    const samples: EvidenceSample[] = [sampleOf(e, 'fall', typeof confidence === 'number' ? confidence : true)];
    const out = this.raise(scope, {
      ...subjectOf(e, 'fall'),
      severity: alreadyCancelled ? 'warning' : 'critical',
      priority: alreadyCancelled ? 'P2' : 'P1',
      at: e.ts,
      evidence: evidence('fall.event', { cancelWindowMs: windowMs }, samples, `${parts[0]}（${parts.slice(1).join('，') || e.deviceType}）`),
      awaitingConfirmationUntil: open || windowMs === 0 ? null : e.ts + windowMs,
    });
    if (open) {
      open.until = Math.max(open.until, e.ts + windowMs);
      if (!open.devices.includes(e.deviceId)) {
        open.devices.push(e.deviceId);
        out.push(...this.confirmFall(scope, `${deviceCatalogue[e.deviceType].label}同时报告跌倒，已确认`));
      }
    } else {
      rs.fallWindow = { since: e.ts, until: e.ts + windowMs, cancelled: false, confirmed: windowMs === 0, devices: [e.deviceId] };
    }
    // The resident's im_ok / getting up may have been processed before this fall (out of order).
    const c = rs.lastCancel;
    if (c && !alreadyCancelled) out.push(...this.noteFallCancel(scope, c.ts, c.source, c.deviceId));
    return out;
  }

  /** The open fall window's alert is paged now (see onFall). */
  private confirmFall(scope: Scope, why: string): AlertChange[] {
    const { rs } = scope;
    const w = rs.fallWindow;
    if (!w || w.confirmed || w.cancelled) return [];
    w.confirmed = true;
    return this.alerts.confirm(this.residentSubject(rs, 'fall', null), why);
  }

  /** im_ok or standing within the cancel window downgrades the fall (Lifeline self-recovery). */
  private noteFallCancel(scope: Scope, ts: number, source: 'im_ok' | 'standing', deviceId: string): AlertChange[] {
    const { rs } = scope;
    if (!rs.lastCancel || ts >= rs.lastCancel.ts) rs.lastCancel = { ts, source, deviceId };
    const w = rs.fallWindow;
    if (!w || w.cancelled || ts < w.since || ts > w.until) return [];
    w.cancelled = true;
    const seconds = Math.round((ts - w.since) / 1000);
    const how = source === 'im_ok' ? `跌倒后 ${seconds} 秒按下“我没事”键（im_ok）` : `跌倒后 ${seconds} 秒雷达检测到站立`;
    const paged = w.confirmed ? '' : '，未派紧急单';
    return this.alerts.downgrade({ kind: 'fall', residentId: rs.residentId, homeId: rs.homeId, deviceId }, `居民已自行取消/起身：${how}${paged}`);
  }

  private hazardTrigger(e: DeviceEventReceived, kind: 'smoke' | 'gas' | 'water_leak'): AlertTrigger {
    const table = {
      smoke: { severity: 'critical', priority: 'P1', summary: '烟雾报警' },
      gas: { severity: 'critical', priority: 'P1', summary: '燃气泄漏报警' },
      // A leak is a property and slip hazard, not an immediate threat to life.
      water_leak: { severity: 'major', priority: 'P2', summary: '漏水报警' },
    } as const;
    const t = table[kind];
    return {
      ...subjectOf(e, kind),
      severity: t.severity,
      priority: t.priority,
      at: e.ts,
      evidence: evidence(`${kind}.event`, {}, [sampleOf(e, kind, true)], t.summary),
    };
  }

  /** Smoke, gas and water sensors bound to a home but no resident still raise. */
  private onHomeOnlyEvent(e: DeviceEventReceived): AlertChange[] {
    if (e.homeId === null) return [];
    switch (e.event) {
      case 'smoke':
      case 'gas':
      case 'water_leak':
        return this.alerts.trigger(this.hazardTrigger(e, e.event));
      case 'smoke_cleared':
      case 'gas_cleared':
      case 'water_leak_cleared': {
        const kind = e.event.replace('_cleared', '') as 'smoke' | 'gas' | 'water_leak';
        return this.alerts.endCondition(subjectOf(e, kind), e.ts, '设备报告已恢复正常');
      }
      default:
        return [];
    }
  }

  /**
   * Apnea from the mattress (so the resident is in bed): one episode ≥ 60 s
   * raises at once (critical, P1); ≥ 5 episodes within an hour (an hourly
   * rate of 5 is the AASM apnea-hypopnea-index threshold) raises major, P2.
   */
  private onApnea(scope: Scope, e: DeviceEventReceived, durationS: number): AlertChange[] {
    const { rs, settings } = scope;
    const a = settings.apnea;
    let i = rs.apneaTs.length;
    while (i > 0 && (rs.apneaTs[i - 1] ?? 0) > e.ts) i--;
    rs.apneaTs.splice(i, 0, e.ts);
    const newest = rs.apneaTs[rs.apneaTs.length - 1] ?? e.ts;
    while (rs.apneaTs.length > 0 && (rs.apneaTs[0] ?? 0) <= newest - a.perWindowMs) rs.apneaTs.shift();
    const long = durationS >= a.longEpisodeS;
    const repeated = rs.apneaTs.length >= a.episodesPerWindow;
    if (!long && !repeated) return [];
    const summary = long
      ? `呼吸暂停 ${Math.round(durationS)} 秒（阈值 ≥${a.longEpisodeS} 秒）`
      : `${Math.round(a.perWindowMs / MIN)} 分钟内呼吸暂停 ${rs.apneaTs.length} 次（阈值 ≥${a.episodesPerWindow} 次）`;
    return this.raise(scope, {
      ...subjectOf(e, 'apnea'),
      severity: long ? 'critical' : 'major',
      priority: long ? 'P1' : 'P2',
      at: e.ts,
      evidence: evidence(
        'apnea.episodes',
        { longEpisodeS: a.longEpisodeS, episodesPerWindow: a.episodesPerWindow, perWindowMs: a.perWindowMs },
        [sampleOf(e, 'apneaDurationS', durationS)],
        summary,
      ),
    });
  }

  // ----------------------------------------------------------- window rules

  /**
   * Raises when the window mean is out of range and the window is covered
   * (≥ minSamples, oldest sample within coverageTolerance of the window start);
   * follows the band while active; clears when a covered window is back in
   * range. One window per (resident, vital), fed by every device that measures
   * it (bed and wearable heart rate describe the same heart).
   */
  private onVitalSample(scope: Scope, e: TelemetryReceived, vital: Vital, value: number): AlertChange[] {
    const { rs, settings } = scope;
    const rule = settings.vitals[vital];
    const w = (rs.vitals[vital] ??= createRollingMean());
    observeCadence(w, e.ts);
    // A band measuring SpO2 every 5 min is judged over 20 min, a mattress over 5 (the rule's minimum).
    const judged = judgingWindow(rule, w.intervalMs);
    addSample(w, e.ts, value, judged.windowMs);
    const end = w.end ?? e.ts;
    const first = oldestTs(w);
    const avg = mean(w);
    if (avg === null || first === null) return [];
    const samples = sampleCount(w);
    if (samples < judged.minSamples || first - (end - judged.windowMs) > judged.coverageToleranceMs) return [];
    const said = { samples, spanMs: judged.windowMs };

    const hit = classifyVital(avg, rule);
    const subject: AlertSubject = { kind: 'vitals_out_of_range', vital, residentId: rs.residentId, homeId: rs.homeId, deviceId: e.deviceId };
    const active = this.alerts.findActive(subject);
    if (!hit) return active ? this.endCondition(scope, subject, end, describeVital(vital, avg, rule, said, null)) : [];

    const priority = hit.severity === 'critical' ? 'P1' : 'P2';
    // Keep the per-sample path O(1): evidence is built only when something changes.
    if (active && active.severity === hit.severity) return [];
    const thresholds: Record<string, number> = { windowMs: judged.windowMs, minSamples: judged.minSamples, samples, mean: roundTo(avg, rule.precision) };
    thresholds[hit.side === 'low' ? 'atOrBelow' : 'atOrAbove'] = hit.bound;
    const recent = liveSamples(w)
      .slice(-6)
      .map((s) => ({ ts: s.ts, deviceId: e.deviceId, metric: vital, value: s.value }));
    const ev = evidence(`vitals.${vital}.window-mean`, thresholds, recent, describeVital(vital, avg, rule, said, hit));
    if (active) return this.alerts.setSeverity(subject, hit.severity, priority, ev);
    return this.raise(scope, { ...subject, severity: hit.severity, priority, at: end, evidence: ev });
  }

  /** Radar zone: continuous presence in the bathroom starts a dwell timer. */
  private onZone(scope: Scope, e: TelemetryReceived): AlertChange[] {
    const { rs } = scope;
    const zone = e.metrics['zone'];
    const presence = e.metrics['presence'];
    if (typeof zone !== 'string') return [];
    if (rs.lastZoneTs !== null && e.ts < rs.lastZoneTs) return [];
    rs.lastZoneTs = e.ts;
    if (presence === true && zone === 'bathroom') {
      if (!rs.bathroom) rs.bathroom = { since: e.ts, deviceId: e.deviceId, raised: false };
      return [];
    }
    const b = rs.bathroom;
    // The bathroom radar seeing nobody, or any radar seeing the resident elsewhere, ends the dwell.
    const left = b !== null && e.ts > b.since && (e.deviceId === b.deviceId || (presence === true && zone !== 'none'));
    if (!left) return [];
    rs.bathroom = null;
    return b.raised ? this.endCondition(scope, this.residentSubject(rs, 'bathroom_dwell', e.deviceId), e.ts, '已离开卫生间') : [];
  }

  /** Geofence (dementia care plans): N consecutive fixes outside the radius raise, N inside clear. */
  private onPosition(scope: Scope, e: TelemetryReceived): AlertChange[] {
    const { rs, settings, ctx } = scope;
    const g = rs.geofence;
    const subject = this.residentSubject(rs, 'geofence_exit', e.deviceId);
    if (!settings.geofence.enabled) {
      if (!g.outside) return [];
      rs.geofence = { outside: false, streak: 0, lastTs: e.ts };
      return this.endCondition(scope, subject, e.ts, '电子围栏已关闭');
    }
    const lat = e.metrics['lat'];
    const lon = e.metrics['lon'];
    const acc = e.metrics['accuracyM'];
    if (typeof lat !== 'number' || typeof lon !== 'number' || !ctx) return [];
    if (typeof acc === 'number' && acc > settings.geofence.maxAccuracyM) return [];
    if (g.lastTs !== null && e.ts <= g.lastTs) return [];
    g.lastTs = e.ts;
    const radius = settings.geofence.radiusM ?? ctx.home.radiusM;
    const distance = haversineM(ctx.home.lat, ctx.home.lon, lat, lon);
    const outside = distance > radius;
    if (outside === g.outside) {
      g.streak = 0;
      return [];
    }
    g.streak++;
    if (g.streak < (outside ? settings.geofence.samplesToRaise : settings.geofence.samplesToClear)) return [];
    g.outside = outside;
    g.streak = 0;
    if (!outside) return this.endCondition(scope, subject, e.ts, '已回到安全范围内');
    return this.raise(scope, {
      ...subject,
      severity: 'major',
      priority: 'P1',
      at: e.ts,
      evidence: evidence(
        'geofence.exit',
        { radiusM: radius, distanceM: Math.round(distance), samplesToRaise: settings.geofence.samplesToRaise },
        [
          { ts: e.ts, deviceId: e.deviceId, metric: 'lat', value: lat },
          { ts: e.ts, deviceId: e.deviceId, metric: 'lon', value: lon },
        ],
        `离家 ${Math.round(distance)} 米，超出安全范围 ${radius} 米`,
      ),
    });
  }

  // --------------------------------------------------------- device health

  /** Battery with hysteresis: ≤ 20 % warning, ≤ 10 % minor, clears only at ≥ 30 %. */
  private onBattery(scope: Scope | undefined, e: DeviceStatusReported, battery: number): AlertChange[] {
    const b = (scope?.settings ?? this.defaults).battery;
    const subject = subjectOf(e, 'low_battery');
    const severity: Severity | null = battery <= b.minorAtOrBelow ? 'minor' : battery <= b.warningAtOrBelow ? 'warning' : null;
    const active = this.alerts.findActive(subject);
    if (severity === null) {
      if (!active || battery < b.clearAtOrAbove) return [];
      return scope ? this.endCondition(scope, subject, e.ts, `电量已恢复至 ${battery}%`) : this.alerts.endCondition(subject, e.ts, `电量已恢复至 ${battery}%`);
    }
    const bound = severity === 'minor' ? b.minorAtOrBelow : b.warningAtOrBelow;
    const ev = evidence(
      'device.low-battery',
      { atOrBelow: bound, clearAtOrAbove: b.clearAtOrAbove },
      [{ ts: e.ts, deviceId: e.deviceId, metric: 'battery', value: battery }],
      `电量 ${battery}%（阈值 ≤${bound}%）`,
    );
    if (active) return this.alerts.setSeverity(subject, severity, 'P3', ev);
    const trigger: AlertTrigger = { ...subject, severity, priority: 'P3', at: e.ts, evidence: ev };
    return scope ? this.raise(scope, trigger) : this.alerts.trigger(trigger);
  }

  // ------------------------------------------------------ absence rules

  /**
   * Walking is activity: the wearable reports today's step count, and a count
   * higher than the one before means the resident walked in between, at home
   * or out (a morning walk must not read as a silent home). A lower count is
   * the midnight reset; another wearable starts its own count.
   */
  private noteSteps(scope: Scope, e: TelemetryReceived): AlertChange[] {
    const steps = e.metrics['steps'];
    if (typeof steps !== 'number') return [];
    const { rs } = scope;
    const prev = rs.lastSteps;
    if (prev !== null && prev.deviceId === e.deviceId && e.ts <= prev.ts) return []; // late: the newer count already counted
    rs.lastSteps = { deviceId: e.deviceId, ts: e.ts, value: steps };
    return prev !== null && prev.deviceId === e.deviceId && steps > prev.value ? this.noteActivity(scope, e.ts) : [];
  }

  private noteActivity(scope: Scope, ts: number): AlertChange[] {
    const { rs } = scope;
    if (rs.lastActivityTs === null || ts > rs.lastActivityTs) rs.lastActivityTs = ts;
    if (rs.inactivityRaisedFor === null || ts <= rs.inactivityRaisedFor) return [];
    rs.inactivityRaisedFor = null;
    return this.endCondition(scope, this.residentSubject(rs, 'prolonged_inactivity', null), ts, '已检测到活动');
  }

  private noteBedReturn(scope: Scope, ts: number): AlertChange[] {
    const { rs } = scope;
    if (rs.lastBedReturnTs === null || ts > rs.lastBedReturnTs) rs.lastBedReturnTs = ts;
    const x = rs.bedExit;
    if (!x || ts <= x.exitTs) return [];
    rs.bedExit = null;
    return x.raised ? this.endCondition(scope, this.residentSubject(rs, 'bed_exit_no_return', x.deviceId), ts, '已回到床上') : [];
  }

  /** Someone is indoors. After a night door_open, a door_close followed by presence means the resident is back. */
  private notePresence(scope: Scope, ts: number): AlertChange[] {
    const { rs } = scope;
    const w = rs.wandering;
    if (!w || w.closeTs === null || ts <= w.closeTs) return [];
    rs.wandering = null;
    return w.raised ? this.endCondition(scope, this.residentSubject(rs, 'night_wandering', w.deviceId), ts, '已关门并在室内检测到活动') : [];
  }

  private checkDeadlines(scope: Scope, horizon: number): AlertChange[] {
    const { rs, settings, ctx } = scope;
    if (!ctx) return [];
    const out: AlertChange[] = [];

    // Ended conditions that did not come back within the merge window clear now.
    out.push(...this.alerts.settleEnded(rs, horizon, settings.episodeMergeMs));

    const fw = rs.fallWindow;
    if (fw && fw.until <= horizon) {
      out.push(...this.confirmFall(scope, `跌倒后 ${Math.round(settings.fall.cancelWindowMs / 1000)} 秒内未起身或取消，已确认`));
    }
    if (fw && fw.until < horizon - settings.latenessMs) rs.fallWindow = null;

    const x = rs.bedExit;
    if (x && !x.raised && x.dueAt <= horizon) {
      x.raised = true;
      const minutes = Math.round(settings.bedExit.noReturnAfterMs / MIN);
      out.push(
        ...this.raise(scope, {
          ...this.residentSubject(rs, 'bed_exit_no_return', x.deviceId),
          severity: 'major',
          priority: 'P1',
          at: x.dueAt,
          evidence: evidence(
            'bed-exit.no-return',
            { noReturnAfterMs: settings.bedExit.noReturnAfterMs },
            [{ ts: x.exitTs, deviceId: x.deviceId, metric: 'bed_exit', value: true }],
            `夜间离床 ${minutes} 分钟未返回`,
          ),
        }),
      );
    }

    const b = rs.bathroom;
    if (b && !b.raised && b.since + settings.bathroom.dwellMs <= horizon) {
      b.raised = true;
      out.push(
        ...this.raise(scope, {
          ...this.residentSubject(rs, 'bathroom_dwell', b.deviceId),
          severity: 'major',
          priority: 'P1',
          at: b.since + settings.bathroom.dwellMs,
          evidence: evidence(
            'bathroom.dwell',
            { dwellMs: settings.bathroom.dwellMs },
            [{ ts: b.since, deviceId: b.deviceId, metric: 'zone', value: 'bathroom' }],
            `在卫生间停留超过 ${Math.round(settings.bathroom.dwellMs / MIN)} 分钟`,
          ),
        }),
      );
    }

    const w = rs.wandering;
    if (w && !w.raised && w.dueAt <= horizon) {
      w.raised = true;
      out.push(
        ...this.raise(scope, {
          ...this.residentSubject(rs, 'night_wandering', w.deviceId),
          severity: 'major',
          priority: 'P1',
          at: w.dueAt,
          evidence: evidence(
            'night-wandering.door',
            { noReturnAfterMs: settings.nightWandering.noReturnAfterMs },
            [{ ts: w.openTs, deviceId: w.deviceId, metric: 'door_open', value: true }],
            `夜间开门外出 ${Math.round(settings.nightWandering.noReturnAfterMs / MIN)} 分钟未返回`,
          ),
        }),
      );
    }

    const last = rs.lastActivityTs;
    // Cheap guard first: rest periods only push the deadline later.
    if (last !== null && rs.inactivityRaisedFor !== last && last + settings.inactivity.afterMs <= horizon) {
      const dueAt = this.inactivityDue(rs.residentId, last, settings, ctx.timeZone);
      if (dueAt <= horizon) {
        rs.inactivityRaisedFor = last;
        const hours = roundTo(settings.inactivity.afterMs / 3_600_000, 1);
        out.push(
          ...this.raise(scope, {
            ...this.residentSubject(rs, 'prolonged_inactivity', null),
            severity: 'major',
            priority: 'P1',
            at: dueAt,
            evidence: evidence(
              'inactivity.absence',
              { afterMs: settings.inactivity.afterMs, lastActivityAt: last },
              [],
              `家中 ${hours} 小时无活动（不含休息时段）`,
            ),
          }),
        );
      }
    }

    // Snoozes that expired while their condition still holds.
    if (rs.suppressed.length > 0) {
      const due = rs.suppressed.filter((s) => s.until <= horizon);
      if (due.length > 0) {
        rs.suppressed = rs.suppressed.filter((s) => s.until > horizon);
        for (const s of due) out.push(...this.raise(scope, { ...s.trigger, at: Math.max(s.trigger.at, s.until) }));
      }
    }
    return out;
  }

  private inactivityDue(residentId: string, last: number, settings: RuleSettings, timeZone: string): number {
    const key = `${last}|${settings.inactivity.afterMs}|${timeZone}|${JSON.stringify(settings.restPeriods)}`;
    const cached = this.inactivityDueCache.get(residentId);
    if (cached?.key === key) return cached.dueAt;
    const dueAt = addActiveTime(last, settings.inactivity.afterMs, timeZone, settings.restPeriods);
    this.inactivityDueCache.set(residentId, { key, dueAt });
    return dueAt;
  }

  // --------------------------------------------------------------- helpers

  /**
   * A device's input, given to the residents it belongs to (attributeDeviceInput):
   * its own resident, or a home device's residents (all, or the primary one when
   * `once`). Input nobody is attributed to (a home with no resident registered,
   * an unbound device) is still evaluated: its alerts are stored with
   * residentId null and counted as not dispatchable, never dropped.
   */
  private forHome<E extends DeviceBinding>(e: E, once: boolean, handle: (e: E) => AlertChange[]): AlertChange[] {
    if (e.residentId !== null) return handle(e);
    const residents = e.homeId === null ? [] : (this.deps.residentsOfHome?.(e.homeId) ?? []);
    const { residentIds } = attributeDeviceInput(e, residents, once ? 'primary_resident' : 'every_resident');
    if (residentIds.length === 0) return handle(e);
    return residentIds.flatMap((residentId) => handle({ ...e, residentId }));
  }

  /** Raise unless a care-plan suspension covers the kind at the alert's event time. */
  private raise(scope: Scope, trigger: AlertTrigger): AlertChange[] {
    const until = suspendedUntil(scope.settings, trigger.kind, trigger.at);
    if (until === null) {
      const held = scope.rs.catchUpSince !== null && HELD_WHILE_CATCHING_UP.has(trigger.kind);
      return this.alerts.trigger(held ? { ...trigger, heldForCatchUp: true } : trigger);
    }
    if (ALERT_KIND_POLICY[trigger.kind].sustained) {
      const key = alertKey(trigger);
      scope.rs.suppressed = [...scope.rs.suppressed.filter((s) => s.key !== key), { key, until, trigger }];
    }
    return [];
  }

  private endCondition(scope: Scope, subject: AlertSubject, at: number, note: string): AlertChange[] {
    const key = alertKey(subject);
    if (scope.rs.suppressed.some((s) => s.key === key)) scope.rs.suppressed = scope.rs.suppressed.filter((s) => s.key !== key);
    return this.alerts.endCondition(subject, at, note, scope.settings.episodeMergeMs);
  }

  private residentSubject(rs: ResidentRuleState, kind: AlertKind, deviceId: string | null): AlertSubject {
    return { kind, residentId: rs.residentId, homeId: rs.homeId, deviceId };
  }

  private scopeFor(b: DeviceBinding): Scope | undefined {
    if (b.residentId === null) return undefined;
    let rs = this.residents.get(b.residentId);
    if (!rs) {
      rs = createResidentRuleState(b.residentId, b.homeId);
      this.residents.set(b.residentId, rs);
    }
    if (b.homeId !== null) rs.homeId = b.homeId;
    const ctx = this.deps.residentContext(b.residentId);
    // Without a context the event rules still run on defaults: a fall is never dropped for a failed lookup.
    return { rs, ctx, settings: ctx ? this.settingsFor(ctx) : this.defaults };
  }

  private settingsFor(ctx: ResidentRuleContext): RuleSettings {
    const key = `${ctx.carePlan?.version ?? -1}|${ctx.capabilityLevel}`;
    const cached = this.settingsCache.get(ctx.residentId);
    if (cached?.key === key) return cached.settings;
    const settings = resolveRuleSettings(this.defaults, ctx.carePlan, ctx.capabilityLevel);
    this.settingsCache.set(ctx.residentId, { key, settings });
    return settings;
  }

  private observe(rs: ResidentRuleState, ts: number, receivedAt: number): void {
    if (rs.maxTs === null || ts > rs.maxTs) rs.maxTs = ts;
    if (rs.arrival === null || receivedAt >= rs.arrival.receivedAt) rs.arrival = { receivedAt, lagMs: receivedAt - rs.maxTs };
  }

  /**
   * Tells a home catching up on a backlog (a buffered day uploaded after an
   * outage) from a live one, at server time `now`. Catching up: its newest
   * reading lags its arrival by more than the lateness allowance, and
   * readings keep arriving. It ends when the data reaches the present, when
   * the upload stalls (CATCH_UP.quietMs: server time takes over beyond the
   * newest data), or after CATCH_UP.maxMs (a device whose clock runs behind
   * is not catching up for ever). Then what was held is released.
   */
  private followArrival(scope: Scope, now: number): AlertChange[] {
    const { rs, settings } = scope;
    const a = rs.arrival;
    const behind = a !== null && a.lagMs > settings.latenessMs && now - a.receivedAt < CATCH_UP.quietMs;
    if (!behind) rs.catchUpSpent = false;
    const since = rs.catchUpSince;
    const catching = behind && !rs.catchUpSpent && (since === null || now - since < CATCH_UP.maxMs);
    if (behind && !catching) rs.catchUpSpent = true;
    if (catching) {
      if (since === null) rs.catchUpSince = now;
      return [];
    }
    if (since === null) return [];
    rs.catchUpSince = null;
    return this.alerts.release(rs.residentId, '补传数据已追平，仍未恢复，派单');
  }

  private watermark(rs: ResidentRuleState, settings: RuleSettings): number {
    return rs.maxTs === null ? -Infinity : rs.maxTs - settings.latenessMs;
  }

  private isLate(rs: ResidentRuleState, settings: RuleSettings, ts: number): boolean {
    return ts < this.watermark(rs, settings);
  }
}

const ZONE_ZH: Record<string, string> = {
  bedroom: '卧室',
  bathroom: '卫生间',
  living_room: '客厅',
  kitchen: '厨房',
  hall: '门厅',
};

function num(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}

function subjectOf(b: DeviceBinding, kind: AlertKind): AlertSubject {
  return { kind, residentId: b.residentId, homeId: b.homeId, deviceId: b.deviceId };
}

function sampleOf(e: DeviceEventReceived, metric: string, value: number | boolean | string): EvidenceSample {
  return { ts: e.ts, deviceId: e.deviceId, metric, value };
}

function evidence(ruleId: string, thresholds: Record<string, number>, samples: EvidenceSample[], summary: string): Evidence {
  return { ruleId, ruleVersion: RULE_VERSION, thresholds, samples, summary };
}

/**
 * The latest expiry among suspensions covering `kind` at event time `at`, or
 * null. Expired ones are ignored, and so is every suspension of a life-safety
 * kind: the API refuses them, but a plan stored before that rule may hold one.
 */
function suspendedUntil(settings: RuleSettings, kind: AlertKind, at: number): number | null {
  if (ALERT_KIND_POLICY[kind].lifeSafety) return null;
  let until: number | null = null;
  for (const s of settings.suspensions) {
    if (s.until > at && (s.kinds as readonly string[]).includes(kind)) until = Math.max(until ?? s.until, s.until);
  }
  return until;
}

const EARTH_RADIUS_M = 6_371_008.8;

/** Great-circle distance (haversine), metres. */
export function haversineM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}
