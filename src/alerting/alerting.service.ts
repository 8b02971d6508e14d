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
 * Crash gap: messages committed to the durable inbox after the last snapshot
 * are not replayed into the engine (the inbox keeps storage-shaped points,
 * not domain events). A crash loses at most `snapshotMs` of rule state, never
 * data or alerts already raised (those are in SQL and restored from there).
 */
import { randomUUID } from 'node:crypto';
import { AlertCommandError } from '../domain/alerts/alert-book.js';
import type { Alert, AlertChange } from '../domain/alerts/alert.schema.js';
import type { RuleSettings } from '../domain/care-plans/rule-settings.js';
import type { DeviceBinding } from '../domain/events/domain-events.js';
import type { DomainEventBus } from '../domain/events/event-bus.js';
import { RuleEngine } from '../domain/rules/rule-engine.js';
import type { RuleEngineSnapshot } from '../domain/rules/rule-engine.snapshot.js';
import type { Logger } from '../observability/logger.js';
import type { AlertRepository, TimedAlertChange } from './alert.repository.js';
import type { AlertingMetrics, AlertingStage } from './alerting.metrics.js';
import type { ResidentContextCache } from './resident-context.cache.js';
import type { RuleEngineStateRepository } from './rule-engine-state.repository.js';

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
}

export class AlertingService {
  private engine: RuleEngine;
  private pending: TimedAlertChange[] = [];
  private flushChain: Promise<void> = Promise.resolve();
  private flushScheduled = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private unsubscribe: (() => void)[] = [];
  private running = false;
  /** Inputs of home devices waiting for their home's residents to load, in arrival order, by home. */
  private readonly waitingForHome = new Map<string, (() => void)[]>();
  private readonly homeLoads = new Set<Promise<void>>();

  constructor(
    private readonly deps: AlertingServiceDeps,
    private readonly options: AlertingServiceOptions = DEFAULT_ALERTING_OPTIONS,
  ) {
    this.engine = this.createEngine(deps.settings);
  }

  /** Restores state, subscribes to ingest's events and starts the timers. */
  async start(): Promise<void> {
    if (this.running) return;
    await this.restore();
    try {
      await this.deps.contexts.loadAll();
    } catch (error) {
      this.fail('context', error);
    }
    const { bus } = this.deps;
    this.unsubscribe = [
      bus.subscribe('TelemetryReceived', (e) => this.evaluateFor(e, () => this.engine.onTelemetry(e))),
      bus.subscribe('DeviceEventReceived', (e) => this.evaluateFor(e, () => this.engine.onDeviceEvent(e))),
      bus.subscribe('DeviceStatusReported', (e) => this.evaluateFor(e, () => this.engine.onStatus(e))),
      bus.subscribe('DeviceWentOffline', (e) => this.evaluateFor(e, () => this.engine.onDeviceOffline(e))),
      bus.subscribe('DeviceWentOnline', (e) => this.evaluateFor(e, () => this.engine.onDeviceOnline(e))),
    ];
    this.running = true;
    this.every(this.options.tickMs, () => this.tick());
    this.every(this.options.snapshotMs, () => this.saveSnapshot());
    this.every(this.options.contextReloadMs, () => this.deps.contexts.loadAll().catch((error: unknown) => this.fail('context', error)));
    // Run one tick now: deadlines that passed while the platform was down fire at start.
    this.tick();
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
   * Persists the engine's state. The snapshot is taken first and the changes
   * queued up to it are committed before it is written, so the alerts table is
   * never older than a stored snapshot (restore trusts SQL for alerts).
   */
  async saveSnapshot(): Promise<void> {
    try {
      const snapshot = this.engine.snapshot();
      await this.flush();
      await this.deps.engineState.save(snapshot, snapshot.takenAt);
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

  /** Snapshot for rule state; SQL for alerts (it is never older, see saveSnapshot). */
  private async restore(): Promise<void> {
    let loaded: [{ snapshot: unknown; takenAt: number } | undefined, Alert[]];
    try {
      loaded = await Promise.all([this.deps.engineState.load(), this.deps.alerts.listOpen()]);
    } catch (error) {
      this.fail('restore', error);
      return;
    }
    const [stored, open] = loaded;
    const base = stored?.snapshot && typeof stored.snapshot === 'object' ? (stored.snapshot as Record<string, unknown>) : { version: 1, takenAt: this.deps.clock(), residents: [] };
    try {
      this.engine.restore({ ...base, alerts: { version: 1, alerts: open } });
    } catch (error) {
      // A malformed snapshot (e.g. written by an older schema): keep the alerts, lose the open windows, say so.
      this.fail('restore', error);
      try {
        this.engine.restore({ version: 1, takenAt: this.deps.clock(), residents: [], alerts: { version: 1, alerts: open } });
      } catch (inner) {
        this.fail('restore', inner);
      }
    }
    this.deps.logger.info({ residents: this.engine.snapshot().residents.length, openAlerts: open.length, snapshotTakenAt: stored?.takenAt ?? null }, 'rule engine restored');
  }

  /**
   * Evaluates a device's input, first loading its home's residents when it is
   * a home device (no resident of its own) of a home the context cache does
   * not know yet (registered since the last reload): otherwise its alerts
   * would be stored for nobody and never dispatched. The home's later inputs
   * wait behind the first, so the engine still sees them in arrival order; a
   * failed load evaluates them anyway (stored for nobody rather than dropped).
   */
  private evaluateFor(binding: DeviceBinding, run: () => AlertChange[]): void {
    const homeId = binding.residentId === null ? binding.homeId : null;
    const waiting = homeId === null ? undefined : this.waitingForHome.get(homeId);
    if (waiting) {
      waiting.push(() => this.evaluate(run));
      return;
    }
    if (homeId === null || this.deps.contexts.knowsHome(homeId)) {
      this.evaluate(run);
      return;
    }
    const queue = [() => this.evaluate(run)];
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

  private evaluate(run: () => AlertChange[]): void {
    try {
      this.emit(run(), this.deps.clock());
    } catch (error) {
      this.fail('evaluate', error);
    }
  }

  private emit(changes: readonly AlertChange[], at: number): void {
    if (changes.length === 0) return;
    this.deps.metrics.changes(changes);
    for (const change of changes) {
      this.pending.push({ change, at });
      this.publish(change);
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
    const started = performance.now();
    try {
      await this.deps.alerts.applyChanges(batch);
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
