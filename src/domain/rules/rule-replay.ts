/**
 * Replaying accepted device messages into the rule engine after a restart,
 * as positions in the durable inbox (ids grow in acceptance order, and live
 * events reach the engine in that order). Pure: the inbox, SQL and the bus are
 * behind the AcceptedEventLog port and the alerting adapter.
 *
 * Two stored positions decide what each accepted message still needs:
 * - `snapshotThrough`: the last message whose events the stored engine
 *   snapshot includes. Everything after it is missing from the rule state
 *   (windows, apnea counts, open deadlines) and is fed again, in order.
 * - `alertsThrough`: the last message whose alert changes are committed in SQL
 *   (they are flushed at once, the snapshot only every few seconds, so this
 *   is usually ahead). A message up to it is fed again only to *rebuild* the
 *   rule state: its alert changes are already stored and published, and
 *   emitting them again would count an SOS twice.
 *
 * @example
 * // snapshot through #100, alerts stored through #104, inbox ends at #106
 * replayStepOf(101, { snapshotThrough: 100, alertsThrough: 104 }) // 'rebuild'
 * replayStepOf(105, { snapshotThrough: 100, alertsThrough: 104 }) // 'apply'
 */
import type { DeviceEventReceived, DeviceStatusReported, TelemetryReceived } from '../events/domain-events.js';

/** The rule input an accepted message carries (command replies carry none). */
export type AcceptedEvent =
  | { readonly name: 'TelemetryReceived'; readonly event: TelemetryReceived }
  | { readonly name: 'DeviceEventReceived'; readonly event: DeviceEventReceived }
  | { readonly name: 'DeviceStatusReported'; readonly event: DeviceStatusReported };

/**
 * Why an accepted message cannot be replayed: `not_recorded`, it was accepted
 * before the inbox kept messages for replay (an upgraded data dir);
 * `unreadable`, its stored form does not parse.
 */
export type ReplaySkipReason = 'not_recorded' | 'unreadable';

export type AcceptedEntry =
  | { readonly inboxId: number; readonly receivedAt: number; readonly accepted: AcceptedEvent | null; readonly skipped?: undefined }
  | { readonly inboxId: number; readonly receivedAt: number; readonly accepted: null; readonly skipped: ReplaySkipReason };

/** The durable inbox as the rules see it. */
export interface AcceptedEventLog {
  /** Entries after `afterInboxId`, oldest first, at most `limit`. */
  readAfter(afterInboxId: number, limit: number): readonly AcceptedEntry[];
  /** A stored snapshot covers everything up to `inboxId`: the log may forget it. */
  markEvaluated(inboxId: number): void;
}

export interface ReplayStart {
  /** Last inbox id the stored snapshot includes; null: no snapshot, or one from before positions were recorded. */
  readonly snapshotThrough: number | null;
  /** Last inbox id whose alert changes are stored; null: none recorded. */
  readonly alertsThrough: number | null;
}

/** `rebuild`: rule state only, alert changes discarded; `apply`: evaluate and keep the changes. */
export type ReplayStep = 'covered' | 'rebuild' | 'apply';

/** The replay reads the log after this id. */
export function replayFrom(start: ReplayStart): number {
  return start.snapshotThrough ?? 0;
}

export function replayStepOf(inboxId: number, start: ReplayStart): ReplayStep {
  if (inboxId <= replayFrom(start)) return 'covered';
  return start.alertsThrough !== null && inboxId <= start.alertsThrough ? 'rebuild' : 'apply';
}

/** The engine's position after applying an event: the highest inbox id seen (events without one leave it). */
export function advancePosition(position: number, inboxId: number | undefined): number {
  return inboxId !== undefined && inboxId > position ? inboxId : position;
}
