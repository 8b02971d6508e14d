/**
 * Starts and stops the parts of the platform that run outside a request:
 * broker, forwarder, supervision timers, the live demo fleet. Order matters
 * both ways: the broker opens only when everything behind it (rules and
 * dispatch included) is ready, and closes first so nothing is accepted that
 * cannot be committed and evaluated.
 */
import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { sql } from 'kysely';
import type { Registry } from 'prom-client';
import type { RejectionReason } from '../devices/protocol.js';
import { PrometheusBrokerMetrics } from './broker/broker.metrics.js';
import { MqttBroker } from './broker/mqtt-broker.js';
import { ExternalBrokerConsumer } from './broker/external-broker.consumer.js';
import type { AppConfig } from './config/config.schema.js';
import { DeviceDirectoryCache } from './device-state/device-directory.cache.js';
import { ClockSync } from './device-state/clock-sync.js';
import { DeviceStateService } from './device-state/device-state.service.js';
import type { BrokerRefusalReason } from './domain/broker-acl/device-acl.js';
import type { OperatorAlertSink } from './domain/operator-alerts/operator-alert.js';
import { DurableInbox } from './ingest/durable-inbox.js';
import { IngestService } from './ingest/ingest.service.js';
import { TelemetryForwarder } from './ingest/telemetry-forwarder.js';
import type { Logger } from './observability/logger.js';
import { withoutUndefined } from './util/without-undefined.js';
import { APP_CONFIG, CLOCK, LOGGER, OPERATOR_ALERTS, PROM_REGISTRY, REGISTRY_DB, type Clock, type Readiness } from './platform.tokens.js';
import type { RegistryDb } from './registry/database.js';
import { DeviceRepository } from './registry/device.repository.js';
import { FleetRepository } from './registry/fleet.repository.js';
import { startFleet, withDemoSecrets, type Fleet } from '../firmware-sim/index.js';
import { verifyDeviceSecret } from './registry/device-secret.js';
import { opensPlainMqttListener } from './config/production-problems.js';
import { TELEMETRY_STORE, type TelemetryStore } from './telemetry/telemetry.store.js';

/** Broker refusals that concern a message's content, logged per device like ingest rejections. */
const REFUSAL_AS_REJECTION: Partial<Record<BrokerRefusalReason, RejectionReason>> = {
  rate_limited: 'too_fast',
  packet_too_large: 'too_large',
  publish_denied: 'bad_topic',
};

const SWEEP_MS = 5_000;
const STATE_FLUSH_MS = 5_000;
const PRUNE_MS = 10 * 60_000;

@Injectable()
export class PlatformRuntime implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown, Readiness {
  private broker: MqttBroker | undefined;
  private liveFleet: Fleet | undefined;
  private external: ExternalBrokerConsumer | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private stopping = false;
  private opened = false;
  private readonly beforeOpen: (() => void | Promise<void>)[] = [];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(CLOCK) private readonly now: Clock,
    @Inject(PROM_REGISTRY) private readonly registry: Registry,
    @Inject(REGISTRY_DB) private readonly db: RegistryDb,
    @Inject(TELEMETRY_STORE) private readonly telemetry: TelemetryStore,
    private readonly devices: DeviceRepository,
    private readonly fleet: FleetRepository,
    private readonly directory: DeviceDirectoryCache,
    private readonly states: DeviceStateService,
    private readonly inbox: DurableInbox,
    private readonly forwarder: TelemetryForwarder,
    private readonly ingest: IngestService,
    private readonly clockSync: ClockSync,
    @Inject(OPERATOR_ALERTS) private readonly operatorAlerts: OperatorAlertSink,
  ) {}

  /** The embedded broker's ports (undefined in external mode or before start). */
  brokerAddresses(): ReturnType<MqttBroker['addresses']> | undefined {
    return this.broker?.addresses();
  }

  async onApplicationBootstrap(): Promise<void> {
    this.directory.replaceAll(await this.devices.loadAllBindings());
    await this.states.load();
    this.forwarder.start();
    this.every(SWEEP_MS, () => this.states.sweep(this.now()));
    this.every(STATE_FLUSH_MS, () => this.flushStates());
    this.every(PRUNE_MS, () => this.inbox.prune(this.now()));
  }

  /**
   * Work that must run once every module has bootstrapped (every bus
   * subscriber is in place) and before the first device message is accepted,
   * e.g. alerting publishing what its start-up replay of the inbox raised.
   * Register it in an onApplicationBootstrap hook.
   */
  runBeforeIngress(task: () => void | Promise<void>): void {
    this.beforeOpen.push(task);
  }

  /**
   * Opens the doors to devices: the broker (or the external consumer), then
   * the live demo fleet. Called by whoever starts the application once every
   * module has bootstrapped, because Nest runs this global module's hooks
   * before the rules' and dispatch's: a device message accepted earlier would
   * be stored but never reach the rules. Tasks registered with
   * runBeforeIngress run first.
   */
  async openIngress(): Promise<void> {
    if (this.opened) return;
    this.opened = true;
    for (const task of this.beforeOpen.splice(0)) await task();
    if (this.config.mqtt.mode === 'embedded') await this.startEmbeddedBroker();
    else await this.startExternalConsumer();
    const commands = this.broker ?? this.external;
    if (commands) this.clockSync.connect((deviceId, command) => commands.publishCommand(deviceId, command));
    this.logger.info({ devices: this.directory.size(), backlog: this.inbox.backlog(), mqtt: this.broker?.addresses() ?? this.config.mqtt.url }, 'platform open to devices');
    if (this.config.demo.enabled && this.config.demo.liveHomes > 0 && this.broker) await this.startLiveFleet();
  }

  /** Closes the doors before any module stops (Nest calls this hook on every module before any onApplicationShutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.liveFleet?.stop();
    await this.broker?.close();
    await this.external?.close();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    await this.flushStates();
    await this.forwarder.stop();
    this.inbox.close();
    await this.telemetry.close();
    await this.db.destroy();
  }

  async check(): Promise<Record<string, boolean>> {
    const [registry, telemetry] = await Promise.all([
      sql`select 1`.execute(this.db).then(
        () => true,
        () => false,
      ),
      this.telemetry.ping().catch(() => false),
    ]);
    const broker = this.config.mqtt.mode === 'embedded' ? this.broker !== undefined : (this.external?.connected() ?? false);
    return { registry, telemetry, broker };
  }

  private async startEmbeddedBroker(): Promise<void> {
    const { host, port, tls, websocket, rateLimit, takeoverAlert } = this.config.mqtt;
    this.broker = await MqttBroker.start(
      {
        host,
        port,
        plaintext: opensPlainMqttListener(this.config),
        ...(tls ? { tls: withoutUndefined(tls) } : {}),
        ...(websocket ? { websocket } : {}),
        rateLimit: { perSecond: rateLimit.perSecond, burst: rateLimit.burst },
        takeoverAlert: { threshold: takeoverAlert.threshold, windowMs: takeoverAlert.windowMs },
        refusalLogIntervalMs: this.config.refusalLogIntervalMs,
      },
      {
        now: this.now,
        operatorAlerts: this.operatorAlerts,
        logger: this.logger.child({ component: 'broker' }),
        metrics: new PrometheusBrokerMetrics(this.registry),
        credentials: {
          lookup: (deviceId) => this.directory.get(deviceId),
          verify: verifyDeviceSecret,
        },
        sink: {
          accept: (deviceId, topic, payload, receivedAt) => this.ingest.accept(deviceId, topic, payload, receivedAt),
          // The broker reports connection facts; device-state's presence decides (it knows the heartbeat
          // intervals): its own sweep offlines silent devices, and devices silent after a clean disconnect.
          presence: (t) => {
            if (t.state === 'online') this.states.connected(t.deviceId, t.at);
            else if (t.reason === 'last_will') this.states.disconnected(t.deviceId, t.at, t.reason);
          },
          disconnected: (deviceId, at) => this.states.disconnected(deviceId, at, 'disconnected'),
          refused: (deviceId, topic, payload, receivedAt, reason) => {
            const rejection = REFUSAL_AS_REJECTION[reason];
            if (rejection) this.ingest.recordRefusal(deviceId, topic, payload, receivedAt, rejection, `refused by the broker: ${reason}`);
          },
        },
      },
    );
  }

  /**
   * A few demo homes simulated live (firmware-sim, speaking the device
   * protocol over the embedded broker), so a new user sees data and alerts
   * at once. Off with ANXIN_LIVE_HOMES=0.
   */
  private async startLiveFleet(): Promise<void> {
    const plainPort = this.broker?.addresses().tcp;
    // Demo mode only, which production refuses; without the plain port the simulator cannot connect.
    if (plainPort === undefined) return;
    const homes = await this.fleet.listHomes(this.config.demo.liveHomes);
    const log = this.logger.child({ component: 'live-fleet' });
    this.liveFleet = await startFleet({
      brokerUrl: `mqtt://127.0.0.1:${plainPort}`,
      manifest: withDemoSecrets({ homes }, this.config.demo.key),
      speed: 1,
      logger: { info: (message) => log.info({}, message), warn: (message) => log.warn({}, message) },
    });
    log.info({ homes: homes.length, devices: homes.reduce((n, h) => n + h.devices.length, 0) }, 'live demo fleet started');
  }

  private async startExternalConsumer(): Promise<void> {
    const { url, username, password, consumers, clientIdPrefix } = this.config.mqtt;
    this.external = await ExternalBrokerConsumer.start(
      { url: url!, consumers, clientIdPrefix, ...(username !== undefined ? { username } : {}), ...(password !== undefined ? { password } : {}) },
      {
        accept: (deviceId, topic, payload, receivedAt) => this.ingest.accept(deviceId, topic, payload, receivedAt),
        lastWill: (deviceId, at) => this.states.disconnected(deviceId, at, 'last_will'),
      },
      this.logger.child({ component: 'external-broker' }),
      this.now,
    );
  }

  private async flushStates(): Promise<void> {
    try {
      await this.states.flush(this.now());
    } catch (error) {
      this.logger.error({ err: String(error) }, 'device state flush failed; will retry');
    }
  }

  private every(ms: number, task: () => unknown): void {
    const timer = setInterval(() => {
      try {
        const result = task();
        if (result instanceof Promise) result.catch((error: unknown) => this.logger.error({ err: String(error) }, 'background task failed'));
      } catch (error) {
        this.logger.error({ err: String(error) }, 'background task failed');
      }
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }
}
