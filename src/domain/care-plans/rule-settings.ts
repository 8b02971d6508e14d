/**
 * Rule settings: the numbers every rule uses, with district-wide defaults.
 * A resident's effective settings are these defaults, tightened by capability
 * level and overridden by the care plan (see resolve-rule-settings.ts).
 *
 * Vital-sign bands follow NEWS2 (Royal College of Physicians, National Early
 * Warning Score 2, 2017, chart 1). A NEWS2 single-parameter score maps to a
 * severity: 3 → critical, 2 → major, 1 → warning. NEWS2: "a score of 3 in any
 * single parameter" triggers an urgent ward-based response, hence critical.
 */
import { z } from 'zod';
import { alertKindSchema, severitySchema } from '../alerts/alert.schema.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

/** "HH:MM" in the district's local time. */
export const localTimeSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 24-hour');
/** A daily local-time window; `start > end` means it runs across midnight (21:30–06:30). */
export const localWindowSchema = z.object({ start: localTimeSchema, end: localTimeSchema });
export type LocalWindow = z.infer<typeof localWindowSchema>;

/** Worst first: the first bound the value reaches decides the severity. */
export const lowBandSchema = z.object({ atOrBelow: z.number(), severity: severitySchema });
export const highBandSchema = z.object({ atOrAbove: z.number(), severity: severitySchema });

export const vitalRuleSchema = z.object({
  /** Window of the mean (ms) for a device that samples often (a mattress every 10 s, a band every minute). */
  windowMs: z.number().int().positive(),
  /**
   * Fewest samples a window needs before it is judged at all. A sparser
   * device gets a longer window, long enough to hold them at its own cadence
   * (a band measuring SpO2 every 5 min: 4 × 5 = 20 min), up to `maxWindowMs`.
   */
  minSamples: z.number().int().positive(),
  /**
   * The longest window a sparse device is judged over (default 60 min). A
   * device too sparse to give `minSamples` within it is judged on as many as
   * fit, never fewer than two agreeing measurements.
   */
  maxWindowMs: z.number().int().positive().default(60 * MIN),
  /**
   * The oldest sample in the window must be at most this far after the
   * window's start: the window must be covered, not just have a few samples
   * at its end. At least one sample interval of the slowest source (60 s wearable).
   */
  coverageToleranceMs: z.number().int().nonnegative(),
  /** Decimal places the mean is rounded to before it is compared (NEWS2 charts integers, temperature to 0.1). */
  precision: z.number().int().min(0).max(2),
  low: z.array(lowBandSchema),
  high: z.array(highBandSchema),
});
export type VitalRule = z.infer<typeof vitalRuleSchema>;

export const suspensionSchema = z.object({
  /** SOS is never suspended: a person pressed a button. */
  kinds: z.array(alertKindSchema.exclude(['sos'])).min(1),
  /** Always an expiry (epoch ms): alerts with event time before it are suppressed, after it they are not. */
  until: z.number(),
  setBy: z.string().min(1),
  reason: z.string().min(1),
});
export type Suspension = z.infer<typeof suspensionSchema>;

export const ruleSettingsSchema = z.object({
  /** Bounded lateness of event time: watermark = max ts seen − latenessMs. */
  latenessMs: z.number().int().nonnegative(),
  fall: z.object({
    /** Lifeline-style self-recovery window in which im_ok / getting up downgrades a fall. */
    cancelWindowMs: z.number().int().nonnegative(),
  }),
  vitals: z.object({
    heartRate: vitalRuleSchema,
    respirationRate: vitalRuleSchema,
    spo2: vitalRuleSchema,
    skinTemp: vitalRuleSchema,
  }),
  apnea: z.object({
    /** One episode at least this long raises at once (critical). */
    longEpisodeS: z.number().positive(),
    /** This many episodes within `perWindowMs` raise (major). */
    episodesPerWindow: z.number().int().positive(),
    perWindowMs: z.number().int().positive(),
  }),
  inactivity: z.object({ afterMs: z.number().int().positive() }),
  /** Rest periods (nap, night) during which inactivity time does not accrue. */
  restPeriods: z.array(localWindowSchema),
  nightWindow: localWindowSchema,
  bedExit: z.object({ noReturnAfterMs: z.number().int().positive() }),
  bathroom: z.object({ dwellMs: z.number().int().positive() }),
  nightWandering: z.object({ noReturnAfterMs: z.number().int().positive() }),
  battery: z.object({
    warningAtOrBelow: z.number(),
    minorAtOrBelow: z.number(),
    /** Hysteresis: an active low-battery alert clears only at or above this level. */
    clearAtOrAbove: z.number(),
  }),
  geofence: z.object({
    enabled: z.boolean(),
    /** Overrides the home's radius when set. */
    radiusM: z.number().positive().nullable(),
    samplesToRaise: z.number().int().positive(),
    samplesToClear: z.number().int().positive(),
    /** Fixes with a worse accuracy are ignored (indoor GPS drifts by hundreds of metres). */
    maxAccuracyM: z.number().positive(),
  }),
  suspensions: z.array(suspensionSchema),
  /**
   * One alert per episode: a machine-cleared condition that returns within
   * this long re-opens the same alert (count + 1, flaps + 1) and keeps its
   * work order, instead of a new alert and a new page each time it flaps.
   * Until then the alert stays active with its end recorded; 0 clears at once.
   */
  episodeMergeMs: z.number().int().nonnegative(),
});
export type RuleSettings = z.infer<typeof ruleSettingsSchema>;

const vitalDefaults = { windowMs: 5 * MIN, minSamples: 4, maxWindowMs: 60 * MIN, coverageToleranceMs: 90_000, precision: 0 } as const;

/**
 * NEWS2 SpO2 scale 1 (chart 1): ≤91 scores 3, 92–93 scores 2, 94–95 scores 1.
 */
export const SPO2_SCALE_1: Pick<VitalRule, 'low' | 'high'> = {
  low: [
    { atOrBelow: 91, severity: 'critical' },
    { atOrBelow: 93, severity: 'major' },
    { atOrBelow: 95, severity: 'warning' },
  ],
  high: [],
};

/**
 * NEWS2 SpO2 scale 2, for hypercapnic respiratory failure (COPD) with a
 * prescribed target of 88–92 %: ≤83 scores 3, 84–85 scores 2, 86–87 scores 1,
 * 88–92 and ≥93 on air score 0. A wearable cannot tell whether the resident
 * is on oxygen, so the "≥93 on oxygen" rows are not applied.
 */
export const SPO2_SCALE_2: Pick<VitalRule, 'low' | 'high'> = {
  low: [
    { atOrBelow: 83, severity: 'critical' },
    { atOrBelow: 85, severity: 'major' },
    { atOrBelow: 87, severity: 'warning' },
  ],
  high: [],
};

export const DEFAULT_RULE_SETTINGS: RuleSettings = {
  latenessMs: 2 * MIN,
  fall: { cancelWindowMs: 30_000 },
  vitals: {
    // NEWS2 pulse: ≤40 → 3, 41–50 → 1, 91–110 → 1, 111–130 → 2, ≥131 → 3.
    heartRate: {
      ...vitalDefaults,
      low: [
        { atOrBelow: 40, severity: 'critical' },
        { atOrBelow: 50, severity: 'warning' },
      ],
      high: [
        { atOrAbove: 131, severity: 'critical' },
        { atOrAbove: 111, severity: 'major' },
        { atOrAbove: 91, severity: 'warning' },
      ],
    },
    // NEWS2 respiration rate: ≤8 → 3, 9–11 → 1, 21–24 → 2, ≥25 → 3.
    // Score 2 maps to major, as it does for pulse and SpO2.
    respirationRate: {
      ...vitalDefaults,
      low: [
        { atOrBelow: 8, severity: 'critical' },
        { atOrBelow: 11, severity: 'warning' },
      ],
      high: [
        { atOrAbove: 25, severity: 'critical' },
        { atOrAbove: 21, severity: 'major' },
      ],
    },
    spo2: { ...vitalDefaults, ...SPO2_SCALE_1 },
    // Wrist skin temperature is not core temperature: it runs 2–5 °C below
    // core and follows room temperature, so NEWS2 temperature bands (≤35.0 → 3)
    // would fire on every cool evening. No fixed offset is reliable, so skin
    // temperature gets its own conservative bands over a 10-minute mean, high
    // side only (fever / heat stroke in summer), and never above minor. The
    // low side is off by default: an off-wrist band reads room temperature.
    skinTemp: {
      ...vitalDefaults,
      windowMs: 10 * MIN,
      precision: 1,
      low: [],
      high: [
        { atOrAbove: 38.5, severity: 'minor' },
        { atOrAbove: 37.5, severity: 'warning' },
      ],
    },
  },
  apnea: { longEpisodeS: 60, episodesPerWindow: 5, perWindowMs: HOUR },
  // UK telecare inactivity monitoring commonly alerts after 4 h without movement.
  inactivity: { afterMs: 4 * HOUR },
  restPeriods: [
    { start: '13:00', end: '14:30' },
    { start: '21:30', end: '06:30' },
  ],
  nightWindow: { start: '21:30', end: '06:30' },
  bedExit: { noReturnAfterMs: 30 * MIN },
  bathroom: { dwellMs: 45 * MIN },
  nightWandering: { noReturnAfterMs: 15 * MIN },
  battery: { warningAtOrBelow: 20, minorAtOrBelow: 10, clearAtOrAbove: 30 },
  geofence: { enabled: false, radiusM: null, samplesToRaise: 2, samplesToClear: 2, maxAccuracyM: 200 },
  suspensions: [],
  // Long enough to span a sensor that flaps or a mean hovering at a band edge, short enough
  // that a condition back after a quiet spell is a new episode and a new look.
  episodeMergeMs: 15 * MIN,
};
