/**
 * Compares what a scenario says the platform should raise with what it
 * raised. Pure: the CLI fetches the alerts, this decides.
 */
import { z } from 'zod';
import { ALERT_KINDS, type AlertKind } from '../../src/domain/alerts/alert.schema.js';

export const SEVERITIES = ['critical', 'major', 'minor', 'warning'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** An alert as `GET /api/alerts` lists it. */
export const observedAlertSchema = z.object({
  id: z.string(),
  kind: z.enum(ALERT_KINDS),
  residentId: z.string().nullable(),
  severity: z.enum(SEVERITIES),
  priority: z.string(),
  state: z.string(),
  firstRaisedAt: z.number(),
  lastTriggeredAt: z.number(),
  /**
   * The highest severity the alert reached, from its history (GET
   * /api/alerts/:id): a vitals alert follows its band down before it clears,
   * so its last severity says little about the episode. Absent: `severity`.
   */
  peakSeverity: z.enum(SEVERITIES).optional(),
});
export type ObservedAlert = z.infer<typeof observedAlertSchema>;

/** An alert the platform must raise for `residentId` with firstRaisedAt in [from, to]. */
export interface ExpectedAlert {
  readonly kind: AlertKind;
  readonly residentId: string;
  readonly from: number;
  readonly to: number;
  /** When set, the alert must have reached this severity (its peak). */
  readonly severity?: Severity;
  /** More than one alert of this kind in the window is fine (e.g. repeated apnea windows). */
  readonly repeats?: boolean;
  /** Why it is expected, for the report. */
  readonly note: string;
}

/** An alert the platform must NOT raise for `residentId` (at any of `severities`, or at all). */
export interface ForbiddenAlert {
  readonly kind: AlertKind;
  readonly residentId: string;
  readonly severities?: readonly Severity[];
  readonly note: string;
}

/** An alert that may or may not be raised without failing the check (a policy choice of the platform). */
export interface ToleratedAlert {
  readonly kind: AlertKind;
  readonly residentId: string;
}

export interface ScenarioExpectation {
  readonly scenario: string;
  /** Residents the check covers; their alerts in [from, to] are all accounted for. */
  readonly residentIds: readonly string[];
  readonly from: number;
  readonly to: number;
  readonly expected: readonly ExpectedAlert[];
  readonly forbidden: readonly ForbiddenAlert[];
  readonly tolerated: readonly ToleratedAlert[];
}

export interface CheckResult {
  readonly detected: readonly { readonly expected: ExpectedAlert; readonly alert: ObservedAlert }[];
  readonly missed: readonly ExpectedAlert[];
  readonly unexpected: readonly { readonly alert: ObservedAlert; readonly reason: 'forbidden' | 'unexpected' | 'duplicate'; readonly note?: string }[];
  readonly passed: boolean;
}

function matches(e: ExpectedAlert, a: ObservedAlert): boolean {
  return (
    a.kind === e.kind &&
    a.residentId === e.residentId &&
    a.firstRaisedAt >= e.from &&
    a.firstRaisedAt <= e.to &&
    (e.severity === undefined || (a.peakSeverity ?? a.severity) === e.severity)
  );
}

/**
 * @example
 * checkScenario(expectation, alerts)
 * // → { detected: [{ expected: {kind:'fall',…}, alert: {…} }], missed: [], unexpected: [], passed: true }
 */
export function checkScenario(expectation: ScenarioExpectation, observed: readonly ObservedAlert[]): CheckResult {
  const residents = new Set(expectation.residentIds);
  const relevant = observed
    .filter((a) => a.residentId !== null && residents.has(a.residentId))
    .filter((a) => a.lastTriggeredAt >= expectation.from && a.firstRaisedAt <= expectation.to)
    .sort((a, b) => a.firstRaisedAt - b.firstRaisedAt || a.id.localeCompare(b.id));

  const detected: { expected: ExpectedAlert; alert: ObservedAlert }[] = [];
  const unexpected: { alert: ObservedAlert; reason: 'forbidden' | 'unexpected' | 'duplicate'; note?: string }[] = [];
  const satisfied = new Set<ExpectedAlert>();

  for (const alert of relevant) {
    const forbidden = expectation.forbidden.find(
      (f) => f.kind === alert.kind && f.residentId === alert.residentId && (f.severities === undefined || f.severities.includes(alert.severity)),
    );
    if (forbidden) {
      unexpected.push({ alert, reason: 'forbidden', note: forbidden.note });
      continue;
    }
    const open = expectation.expected.find((e) => !satisfied.has(e) && matches(e, alert));
    if (open) {
      satisfied.add(open);
      detected.push({ expected: open, alert });
      continue;
    }
    const again = expectation.expected.find((e) => satisfied.has(e) && matches(e, alert));
    if (again) {
      if (!again.repeats) unexpected.push({ alert, reason: 'duplicate', note: again.note });
      continue;
    }
    if (expectation.tolerated.some((t) => t.kind === alert.kind && t.residentId === alert.residentId)) continue;
    unexpected.push({ alert, reason: 'unexpected' });
  }

  const missed = expectation.expected.filter((e) => !satisfied.has(e));
  return { detected, missed, unexpected, passed: missed.length === 0 && unexpected.length === 0 };
}
