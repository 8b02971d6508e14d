/**
 * What a device may do on the broker: the pure decisions behind the aedes
 * hooks (STYLE.md §8). A device authenticates as itself (username = device
 * id), may publish only to its own uplink topics, may subscribe only to its own
 * command topic and may leave a last will only on its own status topic.
 *
 * @example
 * decidePublish('bed-000123', 'anxin/v1/bed-000123/telemetry'); // { allow: true }
 * decidePublish('bed-000123', 'anxin/v1/bed-000999/telemetry'); // { allow: false, reason: 'publish_denied' }
 */
import { deviceIdSchema, topics, UPLINK_CHANNELS } from '../../../devices/protocol.js';

/**
 * Why the broker refused something. Named in `anxin_broker_refusals_total{reason}`.
 */
export const BROKER_REFUSAL_REASONS = [
  'bad_credentials', // wrong secret (or no secret)
  'unknown_device', // username is not a registered device id
  'device_disabled', // right secret, but the device is disabled in the registry
  'client_id_mismatch', // MQTT client id differs from the username (device id)
  'login_throttled', // too many failed logins from this address, or for this device id from this address (never the id alone)
  'publish_denied', // topic outside the device's own uplink topics
  'subscribe_denied', // filter other than the device's own command topic
  'will_denied', // last will aimed anywhere but the device's own status topic
  'rate_limited', // device exceeded its message rate
  'packet_too_large', // packet larger than MAX_PACKET_BYTES
] as const;
export type BrokerRefusalReason = (typeof BROKER_REFUSAL_REASONS)[number];

export type AclDecision = { readonly allow: true } | { readonly allow: false; readonly reason: BrokerRefusalReason };

const ALLOW: AclDecision = Object.freeze({ allow: true });
const refuse = (reason: BrokerRefusalReason): AclDecision => ({ allow: false, reason });

export interface ConnectAttempt {
  /** MQTT client identifier from CONNECT. */
  readonly clientId: string;
  /** MQTT username from CONNECT: the device id. */
  readonly username: string | undefined;
  /** The secret matched the registry's hash (false when the device is unknown). */
  readonly passwordOk: boolean;
  readonly deviceKnown: boolean;
  readonly deviceDisabled: boolean;
  /** The remote address, or this device id from this address, is locked out (see `LoginGuard`). */
  readonly throttled: boolean;
}

/**
 * Order matters: a locked-out login is refused before anything is looked at
 * (no oracle for a brute force), and client-id and disabled checks come after
 * the secret so they reveal nothing to someone who does not hold it.
 *
 * The client id MUST equal the username: aedes closes an existing session
 * when a second CONNECT carries the same client id [MQTT-3.1.4-2], so binding
 * the client id to the authenticated device is what stops device B from
 * knocking device A off with B's own credentials.
 */
export function decideConnect(attempt: ConnectAttempt): AclDecision {
  if (attempt.throttled) return refuse('login_throttled');
  if (attempt.username === undefined || !deviceIdSchema.safeParse(attempt.username).success) return refuse('unknown_device');
  if (!attempt.deviceKnown) return refuse('unknown_device');
  if (!attempt.passwordOk) return refuse('bad_credentials');
  if (attempt.clientId !== attempt.username) return refuse('client_id_mismatch');
  if (attempt.deviceDisabled) return refuse('device_disabled');
  return ALLOW;
}

/** Only `anxin/v1/{ownId}/{telemetry|event|status|batch|cmd/reply}`. */
export function decidePublish(deviceId: string, topic: string): AclDecision {
  for (const channel of UPLINK_CHANNELS) {
    if (topic === topics.uplink(deviceId, channel)) return ALLOW;
  }
  return refuse('publish_denied');
}

/**
 * Only exactly `anxin/v1/{ownId}/cmd`. Exact string equality rules out `#`,
 * `+`, `$SYS/...` and `$share/...` without parsing filters.
 */
export function decideSubscribe(deviceId: string, topicFilter: string): AclDecision {
  return topicFilter === topics.command(deviceId) ? ALLOW : refuse('subscribe_denied');
}

/** The last will may only announce the device's own status (PROTOCOL.md: `{ "state": "offline" }`). */
export function decideWill(deviceId: string, willTopic: string): AclDecision {
  return willTopic === topics.uplink(deviceId, 'status') ? ALLOW : refuse('will_denied');
}
