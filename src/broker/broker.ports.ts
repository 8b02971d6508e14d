/**
 * What the embedded broker needs from the rest of the platform. Each port is
 * one interface so tests swap them at the edge (STYLE.md §3).
 */
import type { BrokerRefusalReason } from '../domain/broker-acl/device-acl.js';
import type { LoginThrottleScope } from '../domain/broker-acl/login-guard.js';
import type { PresenceTransition } from '../domain/presence/device-presence.js';

/**
 * Device secrets, backed by an in-memory cache of the registry (synchronous:
 * it runs in the CONNECT path).
 *
 * @example
 * const entry = credentials.lookup('bed-000123'); // { secretHash: 'sha256:9f86…', disabled: false }
 * const ok = entry !== undefined && credentials.verify(secret, entry.secretHash);
 */
export interface DeviceCredentials {
  lookup(deviceId: string): { secretHash: string; disabled: boolean } | undefined;
  /** Constant-time comparison of `secret` against the stored hash (`sha256:<hex>`). */
  verify(secret: string, secretHash: string): boolean;
}

/**
 * Where accepted device messages go. `accept` runs inside aedes's
 * authorizePublish hook: the broker acknowledges a QoS 1 PUBLISH (PUBACK) only
 * after the promise resolves, so "acknowledged" means "durably stored".
 *
 * - Resolve for anything the sink has dealt with, including content it
 *   rejected (bad JSON, schema, range): it counts those itself, and the device
 *   must not resend them forever.
 * - Reject only when the message could not be stored (storage down): the
 *   broker then withholds the PUBACK and closes the connection (MQTT 3.1.1 has
 *   no negative acknowledgement), so the device resends after reconnecting.
 *   A QoS 0 message is dropped instead (it has no acknowledgement to withhold).
 *
 * @example
 * accept('bed-000123', 'anxin/v1/bed-000123/telemetry', Buffer.from('{"seq":1,...}'), 1773532800123)
 */
export interface UplinkSink {
  accept(deviceId: string, topic: string, payload: Buffer, receivedAt: number): Promise<void>;
  /** A device went online or offline (connect, message, last will, missed heartbeats, silence after a clean disconnect). */
  presence(transition: PresenceTransition): void;
  /**
   * A device ended its connection with DISCONNECT. Not a transition: it stays
   * online until its heartbeat grace runs out (PROTOCOL.md §2, §6), so the
   * sink's own presence can record why it went quiet. Optional.
   */
  disconnected?(deviceId: string, at: number): void;
  /**
   * A publish the broker refused before it reached `accept` (rate limit, size
   * cap, ACL), for the per-device diagnosis log. Optional.
   */
  refused?(deviceId: string, topic: string, payload: Buffer, receivedAt: number, reason: BrokerRefusalReason): void;
}

export interface BrokerMetrics {
  refused(reason: BrokerRefusalReason): void;
  connected(count: number): void;
  /** The sink rejected an allowed publish (storage down): not acknowledged. */
  uplinkFailed(): void;
  /**
   * A login-throttle decision: `refused` an attempt refused unchecked because
   * the key is locked; `locked` a failure that started a lockout.
   */
  loginThrottle(scope: LoginThrottleScope, decision: LoginThrottleDecision): void;
  /** A device set retain on a publish or on its will; the flag was cleared and nothing was retained. */
  retainStripped(source: RetainSource): void;
  /** A device's connection was replaced by a newer one with the same client id [MQTT-3.1.4-2]. */
  sessionTakeover(): void;
}

export const LOGIN_THROTTLE_DECISIONS = ['refused', 'locked'] as const;
export type LoginThrottleDecision = (typeof LOGIN_THROTTLE_DECISIONS)[number];
export const RETAIN_SOURCES = ['publish', 'will'] as const;
export type RetainSource = (typeof RETAIN_SOURCES)[number];

/** Structured logger (pino-compatible subset); tests pass a silent one. */
export interface BrokerLogger {
  info(context: object, message: string): void;
  warn(context: object, message: string): void;
  error(context: object, message: string): void;
}

export const silentBrokerLogger: BrokerLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
