/**
 * The alert lifecycle, pure: no I/O, injected ids and clock. Rules call
 * `trigger` / `endCondition`; people call `acknowledge` / `clearByPerson`.
 * Every call returns the typed changes for the event bus and persistence.
 */
import { z } from 'zod';
import {
  ALERT_KIND_POLICY,
  MAX_EVIDENCE_SAMPLES,
  alertKey,
  alertSchema,
  compareSeverity,
  maxSeverity,
  type Alert,
  type AlertChange,
  type AlertSubject,
  type AlertTrigger,
  type Evidence,
  type Priority,
  type Severity,
} from './alert.schema.js';

export interface Clock {
  now(): number;
}
export type IdGenerator = () => string;


export class AlertCommandError extends Error {
  constructor(
    readonly code: 'not_found' | 'already_cleared',
    readonly alertId: string,
  ) {
    super(`alert ${alertId}: ${code}`);
    this.name = 'AlertCommandError';
  }
}

export const alertBookSnapshotSchema = z.object({
  version: z.literal(1),
  /** Active alerts, and cleared ones nobody has acknowledged yet (ThingsBoard CLEARED_UNACK). */
  alerts: z.array(alertSchema),
});
export type AlertBookSnapshot = z.infer<typeof alertBookSnapshotSchema>;

const SYSTEM = 'system';

export class AlertBook {
  /** Active alerts by dedup key. */
  private readonly activeByKey = new Map<string, Alert>();
  /** Active alerts and cleared-but-unacknowledged ones, by id. */
  private readonly byId = new Map<string, Alert>();
  /** Keys of active auto-clear alerts whose condition ended, waiting out the merge window, by owner. */
  private readonly endingByOwner = new Map<string, Set<string>>();

  constructor(private readonly deps: { readonly clock: Clock; readonly ids: IdGenerator }) {}

  /**
   * Raises a new alert, or updates the active one with the same key: count+1,
   * lastTriggeredAt, the worse severity (a re-triggered downgraded fall is
   * critical again), newest evidence with samples merged.
   */
  trigger(t: AlertTrigger): AlertChange[] {
    const key = alertKey(t);
    const current = this.activeByKey.get(key);
    if (!current) {
      const alert: Alert = {
        id: this.deps.ids(),
        kind: t.kind,
        vital: t.kind === 'vitals_out_of_range' ? (t.vital ?? null) : null,
        residentId: t.residentId,
        homeId: t.homeId,
        deviceId: t.deviceId,
        severity: t.severity,
        priority: t.priority,
        state: 'active',
        acknowledged: false,
        acknowledgedBy: null,
        acknowledgedAt: null,
        count: 1,
        firstRaisedAt: t.at,
        lastTriggeredAt: t.at,
        detectedAt: this.deps.clock.now(),
        conditionEndedAt: null,
        clearedAt: null,
        clearedBy: null,
        clearNote: null,
        downgraded: false,
        downgradeReason: null,
        awaitingConfirmationUntil: t.awaitingConfirmationUntil ?? null,
        heldForCatchUp: t.heldForCatchUp ?? false,
        flaps: 0,
        evidence: t.evidence,
      };
      this.store(key, alert);
      return [{ type: 'AlertRaised', alert }];
    }
    const severity = maxSeverity(current.severity, t.severity);
    const reEscalated = current.downgraded && compareSeverity(t.severity, current.severity) > 0;
    const next: Alert = {
      ...current,
      deviceId: t.deviceId ?? current.deviceId,
      severity,
      priority: higherPriority(current.priority, t.priority),
      count: current.count + 1,
      firstRaisedAt: Math.min(current.firstRaisedAt, t.at),
      lastTriggeredAt: Math.max(current.lastTriggeredAt, t.at),
      conditionEndedAt: null,
      // Back within the merge window after it ended: the same episode, once more.
      flaps: current.conditionEndedAt !== null ? current.flaps + 1 : current.flaps,
      clearNote: current.conditionEndedAt !== null && ALERT_KIND_POLICY[current.kind].autoClear ? null : current.clearNote,
      downgraded: reEscalated ? false : current.downgraded,
      downgradeReason: reEscalated ? null : current.downgradeReason,
      // A new fall on a fall the resident had waved off is a new episode: it
      // waits for confirmation like the first one did. One that is already
      // being answered keeps being answered.
      awaitingConfirmationUntil: reEscalated ? (t.awaitingConfirmationUntil ?? null) : current.awaitingConfirmationUntil,
      evidence: mergeEvidence(current.evidence, t.evidence),
    };
    this.store(key, next);
    return [{ type: 'AlertUpdated', alert: next, reason: 'retriggered' }];
  }

  /**
   * An alert waiting for confirmation (a one-device fall in its cancel
   * window) is confirmed: the window ended with nobody getting up, a second
   * device saw the same fall, or the resident pressed SOS. From here it is
   * dispatched at its priority. `why` (zh-CN) is appended to the summary.
   */
  confirm(subject: AlertSubject, why: string): AlertChange[] {
    const key = alertKey(subject);
    const current = this.activeByKey.get(key);
    if (!current || current.awaitingConfirmationUntil === null) return [];
    const next: Alert = {
      ...current,
      awaitingConfirmationUntil: null,
      evidence: { ...current.evidence, summary: `${current.evidence.summary}；${why}` },
    };
    this.store(key, next);
    return [{ type: 'AlertUpdated', alert: next, reason: 'confirmed' }];
  }

  /**
   * The condition is still there but at another severity (a 5-minute mean
   * moving between NEWS2 bands, a battery draining from 20 % to 10 %).
   * Does not count as a new trigger.
   */
  setSeverity(subject: AlertSubject, severity: Severity, priority: Priority, evidence: Evidence): AlertChange[] {
    const key = alertKey(subject);
    const current = this.activeByKey.get(key);
    if (!current || (current.severity === severity && current.priority === priority)) return [];
    const next: Alert = { ...current, severity, priority, evidence: mergeEvidence(current.evidence, evidence) };
    this.store(key, next);
    return [{ type: 'AlertUpdated', alert: next, reason: 'severity_changed' }];
  }

  /**
   * The machine says the condition ended at event time `at`. Auto-clear kinds
   * are cleared by `system`: at once when `mergeMs` is 0, else once no return
   * came within `mergeMs` (settleEnded), so a flapping condition stays one
   * alert and one order; meanwhile it stays active with `conditionEndedAt`
   * and the note it will clear with. The others (fall, sos, smoke, gas,
   * apnea) only get `conditionEndedAt` so the person who clears them knows.
   */
  endCondition(subject: AlertSubject, at: number, note: string, mergeMs = 0): AlertChange[] {
    const key = alertKey(subject);
    const current = this.activeByKey.get(key);
    if (!current) return [];
    if (ALERT_KIND_POLICY[current.kind].autoClear) {
      const clearNote = current.heldForCatchUp ? `${note}（补传数据中已结束，未派单）` : note;
      if (mergeMs > 0) {
        if (current.conditionEndedAt !== null) return [];
        const ended: Alert = { ...current, conditionEndedAt: at, clearNote };
        this.store(key, ended);
        return [{ type: 'AlertUpdated', alert: ended, reason: 'condition_ended' }];
      }
      const next: Alert = { ...current, state: 'cleared', clearedAt: at, clearedBy: SYSTEM, clearNote, conditionEndedAt: at };
      this.activeByKey.delete(key);
      this.keepOrForget(next);
      return [{ type: 'AlertCleared', alert: next, by: SYSTEM }];
    }
    if (current.conditionEndedAt !== null) return [];
    const next: Alert = { ...current, conditionEndedAt: at };
    this.store(key, next);
    return [{ type: 'AlertUpdated', alert: next, reason: 'condition_ended' }];
  }

  /**
   * A fall the resident cancelled (im_ok, got up) within the cancel window:
   * self-recovered. It stays ACTIVE at severity warning / P2: a fall is never
   * cleared by a machine, and a fall the resident waved off still deserves a
   * welfare call and a look at the evidence; a person clears it.
   */
  downgrade(subject: AlertSubject, reason: string): AlertChange[] {
    const key = alertKey(subject);
    const current = this.activeByKey.get(key);
    if (!current || current.downgraded) return [];
    const next: Alert = {
      ...current,
      severity: 'warning',
      priority: 'P2',
      downgraded: true,
      downgradeReason: reason,
      // Self-recovered inside the window: nothing more to wait for.
      awaitingConfirmationUntil: null,
      evidence: { ...current.evidence, summary: `${current.evidence.summary}；${reason}` },
    };
    this.store(key, next);
    return [{ type: 'AlertDowngraded', alert: next, reason }];
  }

  /**
   * Clears the resident's auto-clear alerts (and those of their home that
   * have no resident) whose condition ended at least `mergeMs` before
   * `horizon` without coming back; cleared at the time the condition ended.
   */
  settleEnded(of: { readonly residentId: string; readonly homeId: string | null }, horizon: number, mergeMs: number): AlertChange[] {
    const out = this.settleOwner(of.residentId, horizon, mergeMs);
    return of.homeId === null ? out : [...out, ...this.settleOwner(`home:${of.homeId}`, horizon, mergeMs)];
  }

  private settleOwner(owner: string, horizon: number, mergeMs: number): AlertChange[] {
    const keys = this.endingByOwner.get(owner);
    if (!keys) return [];
    const out: AlertChange[] = [];
    for (const key of [...keys]) {
      const current = this.activeByKey.get(key);
      if (!current || current.conditionEndedAt === null) {
        keys.delete(key);
        continue;
      }
      if (current.conditionEndedAt + mergeMs > horizon) continue;
      const at = current.conditionEndedAt;
      const next: Alert = { ...current, state: 'cleared', clearedAt: at, clearedBy: SYSTEM, clearNote: current.clearNote ?? '条件已恢复' };
      this.activeByKey.delete(key);
      keys.delete(key);
      this.keepOrForget(next);
      out.push({ type: 'AlertCleared', alert: next, by: SYSTEM });
    }
    if (keys.size === 0) this.endingByOwner.delete(owner);
    return out;
  }

  /**
   * The resident's home has caught up on its backlog: what is still active of
   * what was held meanwhile is dispatched now, with its device-time start.
   */
  release(residentId: string, why: string): AlertChange[] {
    const out: AlertChange[] = [];
    for (const [key, current] of this.activeByKey) {
      // One whose condition already ended is history in the making, not a page.
      if (!current.heldForCatchUp || current.residentId !== residentId || current.conditionEndedAt !== null) continue;
      const next: Alert = { ...current, heldForCatchUp: false, evidence: { ...current.evidence, summary: `${current.evidence.summary}；${why}` } };
      this.store(key, next);
      out.push({ type: 'AlertUpdated', alert: next, reason: 'caught_up' });
    }
    return out;
  }

  /** A person has taken the alert. Idempotent; works on cleared-unacknowledged alerts too. */
  acknowledge(alertId: string, who: string, at: number): AlertChange[] {
    const current = this.require(alertId);
    if (current.acknowledged) return [];
    const next: Alert = { ...current, acknowledged: true, acknowledgedBy: who, acknowledgedAt: at };
    if (next.state === 'active') this.store(alertKey(next), next);
    else this.keepOrForget(next);
    return [{ type: 'AlertUpdated', alert: next, reason: 'acknowledged' }];
  }

  /** The only way fall, sos, smoke, gas and apnea alerts end. */
  clearByPerson(alertId: string, who: string, at: number, note: string): AlertChange[] {
    const current = this.require(alertId);
    if (current.state === 'cleared') throw new AlertCommandError('already_cleared', alertId);
    const next: Alert = {
      ...current,
      state: 'cleared',
      clearedAt: at,
      clearedBy: who,
      clearNote: note,
      // Clearing in person implies the alert was taken.
      acknowledged: true,
      acknowledgedBy: current.acknowledgedBy ?? who,
      acknowledgedAt: current.acknowledgedAt ?? at,
    };
    this.activeByKey.delete(alertKey(current));
    this.keepOrForget(next);
    return [{ type: 'AlertCleared', alert: next, by: who }];
  }

  findActive(subject: AlertSubject): Alert | undefined {
    return this.activeByKey.get(alertKey(subject));
  }

  get(alertId: string): Alert | undefined {
    return this.byId.get(alertId);
  }

  active(): Alert[] {
    return [...this.activeByKey.values()];
  }

  snapshot(): AlertBookSnapshot {
    return { version: 1, alerts: [...this.byId.values()] };
  }

  /** Replaces the book's content; throws (zod) on a malformed snapshot. */
  restore(snapshot: unknown): void {
    const parsed = alertBookSnapshotSchema.parse(snapshot);
    this.activeByKey.clear();
    this.byId.clear();
    this.endingByOwner.clear();
    for (const alert of parsed.alerts) {
      if (alert.state === 'active') this.store(alertKey(alert), alert);
      else this.byId.set(alert.id, alert);
    }
  }

  private store(key: string, alert: Alert): void {
    this.activeByKey.set(key, alert);
    this.byId.set(alert.id, alert);
    if (alert.conditionEndedAt !== null && ALERT_KIND_POLICY[alert.kind].autoClear) {
      const owner = ownerOf(alert);
      let keys = this.endingByOwner.get(owner);
      if (!keys) this.endingByOwner.set(owner, (keys = new Set()));
      keys.add(key);
    }
  }

  private keepOrForget(alert: Alert): void {
    // A backlog's history was never anybody's to take: it is kept in SQL, not here.
    if (alert.state === 'cleared' && (alert.acknowledged || alert.heldForCatchUp)) this.byId.delete(alert.id);
    else this.byId.set(alert.id, alert);
  }

  private require(alertId: string): Alert {
    const alert = this.byId.get(alertId);
    if (!alert) throw new AlertCommandError('not_found', alertId);
    return alert;
  }
}

function ownerOf(alert: Alert): string {
  return alert.residentId ?? `home:${alert.homeId ?? '?'}`;
}

function higherPriority(a: Priority, b: Priority): Priority {
  return a < b ? a : b;
}

function mergeEvidence(previous: Evidence, latest: Evidence): Evidence {
  const samples = [...previous.samples, ...latest.samples].slice(-MAX_EVIDENCE_SAMPLES);
  return { ...latest, samples };
}
