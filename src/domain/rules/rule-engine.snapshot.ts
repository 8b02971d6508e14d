/**
 * The rule engine's state, as data: what must survive a restart so that a
 * 30-minute bed-exit window opened before the restart still raises on time.
 * JSON-serialisable; validated with zod on restore.
 */
import { z } from 'zod';
import { alertTriggerSchema } from '../alerts/alert.schema.js';
import { alertBookSnapshotSchema } from '../alerts/alert-book.js';
import { rollingMeanSchema } from './rolling-mean.js';

export const residentRuleStateSchema = z.object({
  residentId: z.string(),
  homeId: z.string().nullable(),
  /** Max event time seen for the resident; watermark = maxTs − latenessMs. */
  maxTs: z.number().nullable(),
  vitals: z.object({
    heartRate: rollingMeanSchema.optional(),
    respirationRate: rollingMeanSchema.optional(),
    spo2: rollingMeanSchema.optional(),
    skinTemp: rollingMeanSchema.optional(),
  }),
  /**
   * Open fall cancel window, in event time: the devices that reported the
   * fall, and whether it was confirmed (paged). Windows in snapshots from
   * before falls waited for confirmation were paged at once: confirmed.
   */
  fallWindow: z
    .object({
      since: z.number(),
      until: z.number(),
      cancelled: z.boolean(),
      confirmed: z.boolean().default(true),
      devices: z.array(z.string()).default([]),
    })
    .nullable(),
  /** Latest resident-side cancel signal (im_ok, got up), kept for falls that arrive after it (out of order). */
  lastCancel: z.object({ ts: z.number(), source: z.enum(['im_ok', 'standing']), deviceId: z.string() }).nullable(),
  /** Apnea episode times within the counting window, ascending. */
  apneaTs: z.array(z.number()),
  lastActivityTs: z.number().nullable(),
  /**
   * The newest step count of the resident's wearable (a count of today's
   * steps): a higher count than the one before is walking, i.e. activity.
   * Absent in snapshots from before it was kept.
   */
  lastSteps: z.object({ deviceId: z.string(), ts: z.number(), value: z.number() }).nullable().default(null),
  /** The lastActivityTs an inactivity alert was raised for (so it is raised once per silence). */
  inactivityRaisedFor: z.number().nullable(),
  lastBedReturnTs: z.number().nullable(),
  bedExit: z.object({ exitTs: z.number(), dueAt: z.number(), deviceId: z.string(), raised: z.boolean() }).nullable(),
  /** Latest zone sample time, so a stale zone sample cannot reopen a dwell. */
  lastZoneTs: z.number().nullable(),
  bathroom: z.object({ since: z.number(), deviceId: z.string(), raised: z.boolean() }).nullable(),
  wandering: z
    .object({ openTs: z.number(), dueAt: z.number(), closeTs: z.number().nullable(), deviceId: z.string(), raised: z.boolean() })
    .nullable(),
  geofence: z.object({ outside: z.boolean(), streak: z.number().int().nonnegative(), lastTs: z.number().nullable() }),
  /**
   * The newest input's arrival: server time, and how far its home's newest
   * reading lagged behind it. Absent in snapshots from before backlogs were
   * told apart.
   */
  arrival: z.object({ receivedAt: z.number(), lagMs: z.number() }).nullable().default(null),
  /** Server time the home began catching up on a backlog; null while it is live. */
  catchUpSince: z.number().nullable().default(null),
  /** A catch-up ran its longest: the home counts as live until its data reaches the present. */
  catchUpSpent: z.boolean().default(false),
  /** Sustained conditions held back by a snooze, raised when it expires if the condition still holds. */
  suppressed: z.array(z.object({ key: z.string(), until: z.number(), trigger: alertTriggerSchema })),
});
export type ResidentRuleState = z.infer<typeof residentRuleStateSchema>;

export const ruleEngineSnapshotSchema = z.object({
  version: z.literal(1),
  /** Server time the snapshot was taken (diagnostics only). */
  takenAt: z.number(),
  residents: z.array(residentRuleStateSchema),
  alerts: alertBookSnapshotSchema,
});
export type RuleEngineSnapshot = z.infer<typeof ruleEngineSnapshotSchema>;

export function createResidentRuleState(residentId: string, homeId: string | null): ResidentRuleState {
  return {
    residentId,
    homeId,
    maxTs: null,
    vitals: {},
    fallWindow: null,
    lastCancel: null,
    apneaTs: [],
    lastActivityTs: null,
    lastSteps: null,
    inactivityRaisedFor: null,
    lastBedReturnTs: null,
    bedExit: null,
    lastZoneTs: null,
    bathroom: null,
    wandering: null,
    geofence: { outside: false, streak: 0, lastTs: null },
    arrival: null,
    catchUpSince: null,
    catchUpSpent: false,
    suppressed: [],
  };
}
