/**
 * The alert model, schema first (STYLE.md §10): every type here is `z.infer`
 * of a zod schema, so what the backend persists and what socket.io emits is
 * validated by the same definition.
 *
 * Severity and status are separate axes (ThingsBoard): `severity` says how bad,
 * `priority` says who answers how fast, `state` says whether the condition is
 * still believed to hold, `acknowledged` says whether a person has taken it.
 */
import { z } from 'zod';

export const ALERT_KINDS = [
  'fall',
  'sos',
  'vitals_out_of_range',
  'apnea',
  'bed_exit_no_return',
  'prolonged_inactivity',
  'bathroom_dwell',
  'night_wandering',
  'geofence_exit',
  'smoke',
  'gas',
  'water_leak',
  'device_offline',
  'low_battery',
] as const;
export const alertKindSchema = z.enum(ALERT_KINDS);
export type AlertKind = z.infer<typeof alertKindSchema>;

export const severitySchema = z.enum(['critical', 'major', 'minor', 'warning']);
export type Severity = z.infer<typeof severitySchema>;

/** P1 life-safety (answer now), P2 welfare (answer within the shift), P3 service (maintenance). */
export const prioritySchema = z.enum(['P1', 'P2', 'P3']);
export type Priority = z.infer<typeof prioritySchema>;

export const vitalSchema = z.enum(['heartRate', 'respirationRate', 'spo2', 'skinTemp']);
export type Vital = z.infer<typeof vitalSchema>;

const SEVERITY_RANK: Record<Severity, number> = { warning: 0, minor: 1, major: 2, critical: 3 };

/** Orders severities; positive when `a` is worse than `b`. */
export function compareSeverity(a: Severity, b: Severity): number {
  return SEVERITY_RANK[a] - SEVERITY_RANK[b];
}

/** The worse of two severities. */
export function maxSeverity(a: Severity, b: Severity): Severity {
  return compareSeverity(a, b) >= 0 ? a : b;
}

/**
 * How the lifecycle treats each kind.
 * - `autoClear`: the machine may clear it when the condition ends. Fall, SOS,
 *   smoke and gas are never cleared by a machine: a person must look (a smoke
 *   detector going quiet does not prove nobody is hurt). Apnea is a clinical
 *   review item, so a person clears it too.
 * - `deviceLevel`: deduplicated per device instead of per resident (two
 *   offline devices in one home are two jobs for the technician).
 * - `sustained`: the condition persists until an explicit end signal; a
 *   snoozed sustained condition is raised when the snooze expires if it still
 *   holds. Instantaneous kinds (a fall, an apnea episode) are not replayed.
 * - `lifeSafety`: a person pressed a button, fell, or a hazard detector fired:
 *   never muted or delayed, so no snooze covers it (a gas leak during a
 *   caregiver's visit is still an emergency, and the visitor may be the one
 *   who needs to leave the flat).
 */
export const ALERT_KIND_POLICY: Readonly<
  Record<AlertKind, { readonly autoClear: boolean; readonly deviceLevel: boolean; readonly sustained: boolean; readonly lifeSafety: boolean }>
> = {
  fall: { autoClear: false, deviceLevel: false, sustained: false, lifeSafety: true },
  sos: { autoClear: false, deviceLevel: false, sustained: false, lifeSafety: true },
  vitals_out_of_range: { autoClear: true, deviceLevel: false, sustained: true, lifeSafety: false },
  apnea: { autoClear: false, deviceLevel: false, sustained: false, lifeSafety: false },
  bed_exit_no_return: { autoClear: true, deviceLevel: false, sustained: true, lifeSafety: false },
  prolonged_inactivity: { autoClear: true, deviceLevel: false, sustained: true, lifeSafety: false },
  bathroom_dwell: { autoClear: true, deviceLevel: false, sustained: true, lifeSafety: false },
  night_wandering: { autoClear: true, deviceLevel: false, sustained: true, lifeSafety: false },
  geofence_exit: { autoClear: true, deviceLevel: false, sustained: true, lifeSafety: false },
  smoke: { autoClear: false, deviceLevel: false, sustained: true, lifeSafety: true },
  gas: { autoClear: false, deviceLevel: false, sustained: true, lifeSafety: true },
  water_leak: { autoClear: true, deviceLevel: false, sustained: true, lifeSafety: true },
  device_offline: { autoClear: true, deviceLevel: true, sustained: true, lifeSafety: false },
  low_battery: { autoClear: true, deviceLevel: true, sustained: true, lifeSafety: false },
};

export const evidenceSampleSchema = z.object({
  /** Device (event) time, epoch ms. */
  ts: z.number(),
  deviceId: z.string(),
  metric: z.string(),
  value: z.union([z.number(), z.boolean(), z.string()]),
});
export type EvidenceSample = z.infer<typeof evidenceSampleSchema>;

/** At most this many samples are kept on an alert (newest win). */
export const MAX_EVIDENCE_SAMPLES = 20;

/**
 * Why the alert exists, in terms a caregiver and an auditor can check.
 * @example { ruleId: 'vitals.heartRate.window-mean', ruleVersion: 1,
 *   thresholds: { windowMs: 300000, atOrAbove: 131 }, samples: [...],
 *   summary: '5 分钟平均心率 138 次/分（阈值 ≥131）' }
 */
export const evidenceSchema = z.object({
  ruleId: z.string(),
  ruleVersion: z.number().int().positive(),
  /** Numbers and durations (ms) the rule used. */
  thresholds: z.record(z.string(), z.number()),
  samples: z.array(evidenceSampleSchema).max(MAX_EVIDENCE_SAMPLES),
  /** zh-CN, for caregivers. */
  summary: z.string().min(1),
});
export type Evidence = z.infer<typeof evidenceSchema>;

export const alertSchema = z
  .object({
    id: z.string(),
    kind: alertKindSchema,
    /** Set only for `vitals_out_of_range`. */
    vital: vitalSchema.nullable(),
    residentId: z.string().nullable(),
    homeId: z.string().nullable(),
    /** The device for device-level kinds; the last triggering device otherwise. */
    deviceId: z.string().nullable(),
    severity: severitySchema,
    priority: prioritySchema,
    state: z.enum(['active', 'cleared']),
    acknowledged: z.boolean(),
    acknowledgedBy: z.string().nullable(),
    acknowledgedAt: z.number().nullable(),
    count: z.number().int().positive(),
    /** Event time at which the condition first held. */
    firstRaisedAt: z.number(),
    /** Event time of the latest trigger. */
    lastTriggeredAt: z.number(),
    /** Server time at which the platform raised it (detection latency = detectedAt − firstRaisedAt). */
    detectedAt: z.number(),
    /** For kinds a machine may not clear: when the device reported the condition over (e.g. smoke_cleared). */
    conditionEndedAt: z.number().nullable(),
    clearedAt: z.number().nullable(),
    /** `system` for auto-clear, otherwise the person's id. */
    clearedBy: z.string().nullable(),
    clearNote: z.string().nullable(),
    /** A fall cancelled by the resident (im_ok / got up) within the cancel window. */
    downgraded: z.boolean(),
    downgradeReason: z.string().nullable(),
    /**
     * A fall seen by one device waits this long (event time, the end of its
     * cancel window) for the resident to get up or press im_ok before anyone
     * is paged: 待确认. Null once confirmed, self-recovered, and for every
     * other kind. Absent in alerts stored before falls were confirmed.
     */
    awaitingConfirmationUntil: z.number().nullable().default(null),
    /**
     * Raised while its home was catching up on a backlog (a buffered day
     * uploaded after an outage): not dispatched until the home's data reaches
     * the present. One that ends inside the backlog is history, never paged.
     * Absent in alerts stored before backlogs were told apart.
     */
    heldForCatchUp: z.boolean().default(false),
    /**
     * How often the condition ended and came back within the episode merge
     * window (a flapping sensor, a mean at a band edge): each return re-opened
     * this alert instead of raising a new one.
     */
    flaps: z.number().int().nonnegative().default(0),
    evidence: evidenceSchema,
  })
  .refine((a) => (a.kind === 'vitals_out_of_range') === (a.vital !== null), {
    message: 'vital is set exactly for vitals_out_of_range',
    path: ['vital'],
  });
export type Alert = z.infer<typeof alertSchema>;

/**
 * What the lifecycle tells the event bus and persistence. Each change carries
 * the whole alert after the change, so persistence is an upsert by `alert.id`.
 */
export const alertChangeSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('AlertRaised'), alert: alertSchema }),
  z.object({
    type: z.literal('AlertUpdated'),
    alert: alertSchema,
    reason: z.enum(['retriggered', 'severity_changed', 'acknowledged', 'condition_ended', 'confirmed', 'caught_up']),
  }),
  z.object({ type: z.literal('AlertCleared'), alert: alertSchema, by: z.string() }),
  z.object({ type: z.literal('AlertDowngraded'), alert: alertSchema, reason: z.string() }),
]);
export type AlertChange = z.infer<typeof alertChangeSchema>;
export type AlertRaised = Extract<AlertChange, { type: 'AlertRaised' }>;
export type AlertUpdated = Extract<AlertChange, { type: 'AlertUpdated' }>;
export type AlertCleared = Extract<AlertChange, { type: 'AlertCleared' }>;
export type AlertDowngraded = Extract<AlertChange, { type: 'AlertDowngraded' }>;

/**
 * Whether dispatch may answer the alert now: not while a one-device fall
 * waits out its cancel window, nor while its home is catching up on a backlog.
 */
export function isDispatchable(alert: Pick<Alert, 'awaitingConfirmationUntil' | 'heldForCatchUp'>): boolean {
  return alert.awaitingConfirmationUntil === null && !alert.heldForCatchUp;
}

/** Who an alert is about: a resident, or only a home when a sensor is bound to no resident. */
export interface AlertSubject {
  readonly kind: AlertKind;
  readonly vital?: Vital | null | undefined;
  readonly residentId: string | null;
  readonly homeId: string | null;
  readonly deviceId: string | null;
}

/**
 * The deduplication key: at most one ACTIVE alert per key.
 * (resident, kind[, vital]) for resident-level kinds; (device, kind) for device-level ones.
 */
export function alertKey(s: AlertSubject): string {
  if (ALERT_KIND_POLICY[s.kind].deviceLevel) return `d:${s.deviceId ?? '?'}|${s.kind}`;
  const who = s.residentId !== null ? `r:${s.residentId}` : `h:${s.homeId ?? '?'}`;
  return s.kind === 'vitals_out_of_range' ? `${who}|${s.kind}|${s.vital ?? '?'}` : `${who}|${s.kind}`;
}

/**
 * A rule's claim that a condition holds at event time `at`; the AlertBook
 * turns it into a raise or an update. A schema because the rule engine keeps
 * snoozed triggers in its snapshot.
 */
export const alertTriggerSchema = z.object({
  kind: alertKindSchema,
  vital: vitalSchema.nullable().optional(),
  residentId: z.string().nullable(),
  homeId: z.string().nullable(),
  deviceId: z.string().nullable(),
  severity: severitySchema,
  priority: prioritySchema,
  at: z.number(),
  evidence: evidenceSchema,
  /** A new (or re-escalated) alert waits for confirmation until then; see Alert.awaitingConfirmationUntil. */
  awaitingConfirmationUntil: z.number().nullable().optional(),
  /** A new alert is held until its home has caught up; see Alert.heldForCatchUp. */
  heldForCatchUp: z.boolean().optional(),
});
export type AlertTrigger = z.infer<typeof alertTriggerSchema>;
