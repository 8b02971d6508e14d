/**
 * The alerting adapter: a thin shell around the pure RuleEngine (no rule
 * logic here). It
 * - subscribes the engine to ingest's domain events and a 1 s server-time tick,
 * - republishes every AlertChange on the bus at once (dispatch, sockets),
 * - persists changes in batches (one transaction per event-loop turn, like
 *   the durable inbox's group commit),
 * - snapshots the engine every few seconds and on shutdown, and restores it
 *   at start, so an open 30-minute bed-exit window survives a restart.
 *
 * It never throws into ingest: every handler is guarded, errors are logged
 * and counted (anxin_rules_errors_total).
 *
 * After a crash: every accepted message stays in the durable inbox with its
 * decoded form, and each ingest event carries its inbox id. The snapshot
 * records the last inbox id the engine had applied, the alerts table the last
 * one whose alert changes it holds. At start, before the broker opens, the
 * inbox after the snapshot is fed to the engine again in acceptance order:
 * up to the alerts' position only to rebuild rule state (those changes are
 * stored already), after it as live (domain/rules/rule-replay.ts). So an SOS
 * acknowledged to the device just before a SIGKILL raises its alert after the
 * restart, once, and windows (apnea per hour, vital means) count each message
 * once. Not replayed: presence (online/offline comes from the broker, not the
 * inbox), messages accepted before the inbox kept them (an upgraded data dir;
 * logged and counted), and human commands (they are in SQL already).
 */
import { randomUUID } from 'node:crypto';
import { AlertCommandError } from '../domain/alerts/alert-book.js';
import { ALERT_KIND_POLICY, type Alert, type AlertChange } from '../domain/alerts/alert.schema.js';
import { RESOLUTION_OUTCOME_LABELS } from '../domain/dispatch/work-order.schema.js';
import type { RuleSettings } from '../domain/care-plans/rule-settings.js';
import type { DeviceBinding, WorkOrderResolved } from '../domain/events/domain-events.js';
import type { DomainEventBus } from '../domain/events/event-bus.js';
import { RuleEngine } from '../domain/rules/rule-engine.js';
import type { RuleEngineSnapshot } from '../domain/rules/rule-engine.snapshot.js';
import { advancePosition, replayFrom, replayStepOf, type AcceptedEvent, type AcceptedEventLog, type ReplaySkipReason, type ReplayStart } from '../domain/rules/rule-replay.js';
import type { Logger } from '../observability/logger.js';
import type { AlertRepository, TimedAlertChange } from './alert.repository.js';
import type { AlertingMetrics, AlertingStage } from './alerting.metrics.js';
import type { ResidentContextCache } from './resident-context.cache.js';
import type { RuleEngineStateRepository, StoredRuleEngineState } from './rule-engine-state.repository.js';

interface Restored {
  readonly start: ReplayStart;
  /** Open alerts from SQL: the book once the replay reaches what SQL does not hold yet. */
  readonly open: Alert[];
}

export interface AlertingServiceOptions {
  /** Server-time tick: absence deadlines of silent homes, snooze expiry. */
  readonly tickMs: number;
  /** How often the engine's state is persisted (the most rule state a crash can lose). */
  readonly snapshotMs: number;
  /** How often the resident context cache is rebuilt from the registry. */
  readonly contextReloadMs: number;
  /** Unpersisted changes kept for retry while the database fails; oldest dropped beyond (they are still in the snapshot). */
  readonly maxPending: number;
}

export const DEFAULT_ALERTING_OPTIONS: AlertingServiceOptions = { tickMs: 1_000, snapshotMs: 5_000, contextReloadMs: 60_000, maxPending: 100_000 };

export interface AlertingServiceDeps {
  readonly bus: DomainEventBus;
  readonly clock: () => number;
  readonly ids?: () => string;
  readonly alerts: AlertRepository;
  readonly engineState: RuleEngineStateRepository;
  readonly contexts: ResidentContextCache;
  readonly metrics: AlertingMetrics;
  readonly logger: Logger;
  /** Global defaults at start (RuleSettingsRepository.current()). */
  readonly settings: RuleSettings;
  /** The durable inbox, replayed at start from the snapshot's position; without it nothing is replayed. */
  readonly acceptedLog?: AcceptedEventLog;
}

/** Inbox rows read per page while replaying. */
const REPLAY_PAGE = 1_000;

export class AlertingService {
  private engine: RuleEngine;
  private pending: TimedAlertChange[] = [];
  private flushChain: Promise<void> = Promise.resolve();
  private flushScheduled = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private unsubscribe: (() => void)[] = [];
  private running = false;
  /** Last inbox id whose events the engine has applied (the snapshot's replay position). */
  private position = 0;
  /** Changes made before dispatch and the sockets subscribed (replay, catch-up tick): published by publishHeld(). */
  private held: AlertChange[] | null = [];
  /** Inputs of home devices waiting for their home's residents to load, in arrival order, by home. */
  private readonly waitingForHome = new Map<string, (() => void)[]>();
  private readonly homeLoads = new Set<Promise<void>>();

  constructor(
    private readonly deps: AlertingServiceDeps,
    private readonly options: AlertingServiceOptions = DEFAULT_ALERTING_OPTIONS,
  ) {
    this.engine = this.createEngine(deps.settings);
  }

  /**
   * Restores state, replays what the inbox accepted after the snapshot,
   * subscribes to ingest's events and starts the timers. Called before the
   * broker opens; changes made here reach the bus only at publishHeld().
   */
  async start(): Promise<void> {
    if (this.running) return;
    const restored = await this.restore();
    try {
      await this.deps.contexts.loadAll();
    } catch (error) {
      this.fail('context', error);
    }
    // Before the first tick at server time now: a bed_enter in the replay must end the bed-exit window first.
    this.replay(restored);
    const { bus } = this.deps;
    this.unsubscribe = [
      bus.subscribe('TelemetryReceived', (e) => this.evaluateFor(e, () => this.engine.onTelemetry(e), e.inboxId)),
      bus.subscribe('DeviceEventReceived', (e) => this.evaluateFor(e, () => this.engine.onDeviceEvent(e), e.inboxId)),
      bus.subscribe('DeviceStatusReported', (e) => this.evaluateFor(e, () => this.engine.onStatus(e), e.inboxId)),
      bus.subscribe('DeviceWentOffline', (e) => this.evaluateFor(e, () => this.engine.onDeviceOffline(e))),
      bus.subscribe('DeviceWentOnline', (e) => this.evaluateFor(e, () => this.engine.onDeviceOnline(e))),
      bus.subscribe('WorkOrderResolved', (e) => {
        this.closeWithOrder(e).catch((error: unknown) => this.deps.logger.error({ alertId: e.alertId, orderId: e.orderId, err: String(error) }, 'alert not closed with its work order'));
      }),
    ];
    this.running = true;
    this.every(this.options.tickMs, () => this.tick());
    this.every(this.options.snapshotMs, () => this.saveSnapshot());
    this.every(this.options.contextReloadMs, () => this.deps.contexts.loadAll().catch((error: unknown) => this.fail('context', error)));
    // Run one tick now: deadlines that passed while the platform was down fire at start.
    this.tick();
  }

  /**
   * Publishes the changes made at start (replayed messages, the catch-up
   * tick). Called once every module has subscribed (PlatformRuntime, before
   * the broker opens): dispatch bootstraps after alerting, and an SOS raised
   * by the replay must still be dispatched.
   */
  publishHeld(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const change of held) this.publish(change);
  }

  /** Stops evaluating, commits pending changes and saves a final snapshot. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const t of this.timers) clearInterval(t);
    this.timers.length = 0;
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    await Promise.all(this.homeLoads);
    await this.saveSnapshot();
  }

  /** Fires deadlines due at server time `now` (default: the clock). */
  tick(now: number = this.deps.clock()): void {
    try {
      this.emit(this.engine.advanceTo(now), now);
    } catch (error) {
      this.fail('tick', error);
    }
  }

  /** Commits every change queued so far (one transaction). Never rejects. */
  flush(): Promise<void> {
    this.flushChain = this.flushChain.then(() => this.flushOnce());
    return this.flushChain;
  }

  /**
   * Persists the engine's state with its inbox position. The snapshot is
   * taken first and the changes queued up to it are committed before it is
   * written, so the alerts table is never older than a stored snapshot
   * (restore trusts SQL for alerts). Taken when no home-device input waits for
   * its home to load: every inbox id up to the position is then applied.
   */
  async saveSnapshot(): Promise<void> {
    try {
      while (this.homeLoads.size > 0) await Promise.all(this.homeLoads);
      const snapshot = this.engine.snapshot();
      const through = this.position;
      await this.flush();
      await this.deps.engineState.save(snapshot, snapshot.takenAt, through);
      // Only now may the inbox forget rows up to `through` (after forwarding and de-duplication).
      this.deps.acceptedLog?.markEvaluated(through);
    } catch (error) {
      this.fail('snapshot', error);
    }
  }

  /** A person takes the alert. Idempotent. Throws AlertCommandError('not_found'). */
  async acknowledge(alertId: string, who: string): Promise<Alert> {
    const at = this.deps.clock();
    const inBook = this.engine.alerts.get(alertId);
    if (inBook) {
      const changes = this.engine.alerts.acknowledge(alertId, who, at);
      this.emit(changes, at);
      await this.flush();
      return changes[0]?.alert ?? inBook;
    }
    const stored = await this.deps.alerts.get(alertId);
    if (!stored) throw new AlertCommandError('not_found', alertId);
    if (stored.alert.acknowledged) return stored.alert;
    // Not in the engine's book (it forgot it, e.g. restored from an older state): record the acknowledgement in SQL.
    const alert: Alert = { ...stored.alert, acknowledged: true, acknowledgedBy: who, acknowledgedAt: at };
    this.emit([{ type: 'AlertUpdated', alert, reason: 'acknowledged' }], at);
    await this.flush();
    return alert;
  }

  /** The only way a fall, SOS, smoke, gas or apnea alert ends. Throws AlertCommandError (not_found, already_cleared). */
  async clear(alertId: string, who: string, note: string): Promise<Alert> {
    const at = this.deps.clock();
    let changes: AlertChange[];
    if (this.engine.alerts.get(alertId)) {
      changes = this.engine.alerts.clearByPerson(alertId, who, at, note);
    } else {
      const stored = await this.deps.alerts.get(alertId);
      if (!stored) throw new AlertCommandError('not_found', alertId);
      if (stored.alert.state === 'cleared') throw new AlertCommandError('already_cleared', alertId);
      const a = stored.alert;
      const alert: Alert = { ...a, state: 'cleared', clearedAt: at, clearedBy: who, clearNote: note, acknowledged: true, acknowledgedBy: a.acknowledgedBy ?? who, acknowledgedAt: a.acknowledgedAt ?? at };
      changes = [{ type: 'AlertCleared', alert, by: who }];
    }
    this.emit(changes, at);
    await this.flush();
    const cleared = changes[0]?.alert;
    if (!cleared) throw new AlertCommandError('not_found', alertId);
    return cleared;
  }

  /**
   * 结案 closes the loop: the alert an order answered is cleared by the person
   * who closed the order, with its outcome (误报, 真实紧急…) as the note, so
   * the district screen's 当前告警 falls. Not while its condition still holds
   * (smoke still there, still no movement): then it stays active, the order's
   * close is logged against it, and the machine or a person clears it later.
   */
  async closeWithOrder(e: WorkOrderResolved): Promise<'cleared' | 'condition_holds' | 'already_cleared' | 'not_found'> {
    const alert = this.engine.alerts.get(e.alertId) ?? (await this.deps.alerts.get(e.alertId))?.alert;
    if (!alert) return 'not_found';
    if (alert.state === 'cleared') return 'already_cleared';
    if (ALERT_KIND_POLICY[alert.kind].sustained && alert.conditionEndedAt === null) {
      this.deps.logger.info({ alertId: alert.id, orderId: e.orderId, kind: alert.kind, outcome: e.outcome }, 'order resolved while its alert condition still holds: alert stays active');
      return 'condition_holds';
    }
    const note = `工单结案：${RESOLUTION_OUTCOME_LABELS[e.outcome]}${e.notes.trim() === '' ? '' : `（${e.notes.trim()}）`}`;
    try {
      await this.clear(e.alertId, e.resolvedBy, note.slice(0, 500));
    } catch (error) {
      // Cleared in between by a person or the machine: nothing left to do.
      if (error instanceof AlertCommandError && error.code === 'already_cleared') return 'already_cleared';
      throw error;
    }
    return 'cleared';
  }

  /** New global defaults: the engine is rebuilt around its current state (windows stay open). */
  replaceSettings(settings: RuleSettings): void {
    const snapshot = this.engine.snapshot();
    const engine = this.createEngine(settings);
    engine.restore(snapshot);
    this.engine = engine;
  }

  /** For diagnostics and tests: the engine's state now. */
  snapshot(): RuleEngineSnapshot {
    return this.engine.snapshot();
  }

  /** Active alerts the engine holds. */
  activeAlerts(): Alert[] {
    return this.engine.alerts.active();
  }

  // --------------------------------------------------------------- private

  private createEngine(settings: RuleSettings): RuleEngine {
    return new RuleEngine({
      clock: { now: this.deps.clock },
      ids: this.deps.ids ?? (() => randomUUID()),
      residentContext: (residentId) => this.deps.contexts.get(residentId),
      residentsOfHome: (homeId) => this.deps.contexts.residentsOfHome(homeId),
      settings,
    });
  }

  /**
   * Rule state and its own alert book from the snapshot; the alerts from SQL
   * (never older, see saveSnapshot) are swapped in by replay() once it has
   * rebuilt the rule state up to where SQL is.
   */
  private async restore(): Promise<Restored> {
    const none: Restored = { start: { snapshotThrough: null, alertsThrough: null }, open: [] };
    let loaded: [StoredRuleEngineState | undefined, Alert[], number | null];
    try {
      loaded = await Promise.all([this.deps.engineState.load(), this.deps.alerts.listOpen(), this.deps.engineState.alertsThrough()]);
    } catch (error) {
      this.fail('restore', error);
      return none;
    }
    const [stored, open, alertsThrough] = loaded;
    const start: ReplayStart = { snapshotThrough: stored?.through ?? null, alertsThrough };
    const base = stored?.snapshot && typeof stored.snapshot === 'object' ? (stored.snapshot as Record<string, unknown>) : { version: 1, takenAt: this.deps.clock(), residents: [] };
    try {
      this.engine.restore({ alerts: { version: 1, alerts: open }, ...base });
    } catch (error) {
      // A malformed snapshot (e.g. written by an older schema): keep the alerts, lose the open windows, say so.
      this.fail('restore', error);
      try {
        this.engine.restore({ version: 1, takenAt: this.deps.clock(), residents: [], alerts: { version: 1, alerts: open } });
      } catch (inner) {
        this.fail('restore', inner);
      }
    }
    this.deps.logger.info(
      { residents: this.engine.snapshot().residents.length, openAlerts: open.length, snapshotTakenAt: stored?.takenAt ?? null, ...start },
      'rule engine restored',
    );
    return { start, open };
  }

  /**
   * Feeds the engine every message the inbox accepted after the snapshot, in
   * acceptance order (the order the live engine saw them). Server time moves
   * with them: before each message the engine gets the tick the live process
   * ran at its receipt (at most one per tick period), never "now", so a
   * deadline whose ending message is in the replay does not fire falsely.
   * Messages whose alert changes SQL already holds only rebuild rule state
   * (their changes are discarded, on the snapshot's own alert book); then the
   * book is replaced by SQL's and the rest is evaluated as live.
   */
  private replay({ start, open }: Restored): void {
    const log = this.deps.acceptedLog;
    const useStoredAlerts = (): void => {
      try {
        this.engine.alerts.restore({ version: 1, alerts: open });
      } catch (error) {
        this.fail('restore', error);
      }
    };
    let after = replayFrom(start);
    this.position = after;
    if (!log) {
      useStoredAlerts();
      return;
    }
    const counts = { rebuilt: 0, applied: 0, skipped: { not_recorded: 0, unreadable: 0 } as Record<ReplaySkipReason, number> };
    let live = false;
    let lastTick = Number.NEGATIVE_INFINITY;
    for (let page = log.readAfter(after, REPLAY_PAGE); page.length > 0; page = log.readAfter(after, REPLAY_PAGE)) {
      for (const entry of page) {
        after = entry.inboxId;
        const step = replayStepOf(entry.inboxId, start);
        if (step === 'covered') continue;
        if (step === 'apply' && !live) {
          useStoredAlerts();
          live = true;
        }
        if (entry.skipped) {
          counts.skipped[entry.skipped]++;
        } else {
          const tickAt = entry.receivedAt - (entry.receivedAt % this.options.tickMs);
          const changes = tickAt > lastTick ? this.replayStep(() => this.engine.advanceTo(tickAt)) : [];
          lastTick = Math.max(lastTick, tickAt);
          const accepted = entry.accepted;
          if (accepted) changes.push(...this.replayStep(() => this.applyAccepted(accepted)));
          if (live) this.emit(changes, this.deps.clock());
          if (live) counts.applied++;
          else counts.rebuilt++;
        }
        this.position = advancePosition(this.position, entry.inboxId);
      }
    }
    if (!live) useStoredAlerts();
    const skipped = counts.skipped.not_recorded + counts.skipped.unreadable;
    if (skipped > 0) {
      this.deps.metrics.replaySkipped(counts.skipped);
      this.deps.logger.warn(
        { skipped: counts.skipped },
        'accepted messages not replayed into the rules: accepted before the inbox kept messages for replay (not_recorded), or unreadable; their rule state is lost, their data is not',
      );
    }
    this.deps.logger.info({ from: replayFrom(start), through: this.position, rebuilt: counts.rebuilt, applied: counts.applied, skipped }, 'inbox replayed into the rule engine');
  }

  private applyAccepted(a: AcceptedEvent): AlertChange[] {
    switch (a.name) {
      case 'TelemetryReceived':
        return this.engine.onTelemetry(a.event);
      case 'DeviceEventReceived':
        return this.engine.onDeviceEvent(a.event);
      case 'DeviceStatusReported':
        return this.engine.onStatus(a.event);
    }
  }

  private replayStep(run: () => AlertChange[]): AlertChange[] {
    try {
      return run();
    } catch (error) {
      this.fail('evaluate', error);
      return [];
    }
  }

  /**
   * Evaluates a device's input, first loading its home's residents when it is
   * a home device (no resident of its own) of a home the context cache does
   * not know yet (registered since the last reload): otherwise its alerts
   * would be stored for nobody and never dispatched. The home's later inputs
   * wait behind the first, so the engine still sees them in arrival order; a
   * failed load evaluates them anyway (stored for nobody rather than dropped).
   */
  private evaluateFor(binding: DeviceBinding, run: () => AlertChange[], inboxId?: number): void {
    const homeId = binding.residentId === null ? binding.homeId : null;
    const waiting = homeId === null ? undefined : this.waitingForHome.get(homeId);
    if (waiting) {
      waiting.push(() => this.evaluate(run, inboxId));
      return;
    }
    if (homeId === null || this.deps.contexts.knowsHome(homeId)) {
      this.evaluate(run, inboxId);
      return;
    }
    const queue = [() => this.evaluate(run, inboxId)];
    this.waitingForHome.set(homeId, queue);
    const load = this.deps.contexts
      .loadHome(homeId)
      .catch((error: unknown) => this.fail('context', error))
      .finally(() => {
        this.waitingForHome.delete(homeId);
        this.homeLoads.delete(load);
        for (const task of queue) task();
      });
    this.homeLoads.add(load);
  }

  /** Applies one input; an input that throws is applied too (a replay would throw again). */
  private evaluate(run: () => AlertChange[], inboxId?: number): void {
    try {
      this.emit(run(), this.deps.clock());
    } catch (error) {
      this.fail('evaluate', error);
    } finally {
      this.position = advancePosition(this.position, inboxId);
    }
  }

  private emit(changes: readonly AlertChange[], at: number): void {
    if (changes.length === 0) return;
    this.deps.metrics.changes(changes);
    for (const change of changes) {
      this.pending.push({ change, at });
      if (this.held) this.held.push(change);
      else this.publish(change);
    }
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        void this.flush();
      });
    }
  }

  private publish(change: AlertChange): void {
    const { bus } = this.deps;
    switch (change.type) {
      case 'AlertRaised':
        bus.publish('AlertRaised', change);
        return;
      case 'AlertUpdated':
        bus.publish('AlertUpdated', change);
        return;
      case 'AlertCleared':
        bus.publish('AlertCleared', change);
        return;
      case 'AlertDowngraded':
        bus.publish('AlertDowngraded', change);
        return;
    }
  }

  private async flushOnce(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    // Every input up to here has its changes in this batch or an earlier one, unless one still waits for its home.
    const through = this.homeLoads.size === 0 ? this.position : undefined;
    const started = performance.now();
    try {
      await this.deps.alerts.applyChanges(batch, through);
      this.deps.metrics.persisted(batch.length, (performance.now() - started) / 1000);
    } catch (error) {
      this.fail('persist', error);
      // Keep them for the next flush (bounded): the engine still holds the alerts in memory.
      this.pending = [...batch, ...this.pending].slice(-this.options.maxPending);
    }
  }

  private fail(stage: AlertingStage, error: unknown): void {
    this.deps.metrics.error(stage);
    this.deps.logger.error({ stage, err: error instanceof Error ? (error.stack ?? error.message) : String(error) }, 'alerting failed');
  }

  private every(ms: number, task: () => unknown): void {
    const timer = setInterval(() => {
      const result = task();
      if (result instanceof Promise) result.catch((error: unknown) => this.fail('tick', error));
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }
}
