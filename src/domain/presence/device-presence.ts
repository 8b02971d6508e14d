/**
 * Device presence: online/offline per device, from what the broker sees
 * (connects, messages, last wills, clean disconnects) plus a periodic sweep
 * for devices that stay silent. A device is offline when its last will
 * arrives or when it has been silent for `heartbeatMisses` heartbeat
 * intervals, whichever comes first (PROTOCOL.md §6). A clean DISCONNECT is
 * not a last will [MQTT-3.14.4-3: the server discards it]: the device said it
 * was leaving (a reboot, a firmware update, a radio that sleeps between
 * bursts, a fleet shutting down), so it keeps the heartbeat grace and goes
 * offline only if it is still silent when that runs out, with reason
 * `disconnected` (PROTOCOL.md §2). Every transition is emitted exactly once
 * (an offline device is not offlined again; any message brings it back).
 * Pure: every method takes the time; the caller owns the clock.
 *
 * @example
 * const presence = new DevicePresence({ heartbeatMisses: 3, defaultHeartbeatS: 60 });
 * presence.markConnected('bed-000123', now);          // { state: 'online', ... }
 * presence.markSeen('bed-000123', now, 30);            // undefined (already online)
 * presence.sweep(now + 91_000);                        // [{ state: 'offline', reason: 'missed_heartbeats', ... }]
 * presence.markConnected('bed-000123', later);          // { state: 'online', ... }
 * presence.markDisconnected('bed-000123', later, 'disconnected'); // undefined: online until the grace runs out
 */
/**
 * The heartbeat interval supervision keeps for one a device announced: at
 * most its type's maximum, so a misconfigured or malicious `heartbeatS` of a
 * day cannot keep a dead smoke detector "online" for three days.
 *
 * @example
 * boundHeartbeat(86_400, 900) // { heartbeatS: 900, aboveMax: true }
 */
export function boundHeartbeat(announcedS: number, maxS: number): { readonly heartbeatS: number; readonly aboveMax: boolean } {
  return announcedS > maxS ? { heartbeatS: maxS, aboveMax: true } : { heartbeatS: announcedS, aboveMax: false };
}

export type OfflineReason = 'last_will' | 'missed_heartbeats' | 'disconnected';

export type PresenceTransition =
  | { readonly deviceId: string; readonly state: 'online'; readonly at: number }
  | {
      readonly deviceId: string;
      readonly state: 'offline';
      readonly at: number;
      readonly reason: OfflineReason;
      readonly lastSeenAt: number | null;
    };

export interface PresencePolicy {
  /** Heartbeats a device may miss before it is offline (default 3). */
  readonly heartbeatMisses: number;
  /** Interval assumed until the device announces its own `heartbeatS`. */
  readonly defaultHeartbeatS: number;
}

export const DEFAULT_PRESENCE_POLICY: PresencePolicy = { heartbeatMisses: 3, defaultHeartbeatS: 60 };

interface DeviceState {
  online: boolean;
  lastSeenAt: number | null;
  heartbeatS: number;
  /** It ended its connection with DISCONNECT and has not been heard from since. */
  disconnected: boolean;
}

export class DevicePresence {
  private readonly policy: PresencePolicy;
  private readonly devices = new Map<string, DeviceState>();

  constructor(policy: Partial<PresencePolicy> = {}) {
    this.policy = { ...DEFAULT_PRESENCE_POLICY, ...policy };
  }

  /** The device completed CONNECT. Counts as seen. */
  markConnected(deviceId: string, at: number): PresenceTransition | undefined {
    return this.markSeen(deviceId, at);
  }

  /** A message arrived from the device; `heartbeatS` when it announced its interval. */
  markSeen(deviceId: string, at: number, heartbeatS?: number): PresenceTransition | undefined {
    const state = this.stateOf(deviceId);
    state.lastSeenAt = Math.max(state.lastSeenAt ?? at, at);
    state.disconnected = false;
    if (heartbeatS !== undefined && heartbeatS > 0) state.heartbeatS = heartbeatS;
    if (state.online) return undefined;
    state.online = true;
    return { deviceId, state: 'online', at };
  }

  /**
   * The connection ended. A last will offlines the device now; a clean
   * DISCONNECT only marks it, and the sweep offlines it (reason
   * `disconnected`) once its heartbeat grace runs out without a word.
   */
  markDisconnected(deviceId: string, at: number, reason: 'last_will' | 'disconnected'): PresenceTransition | undefined {
    const state = this.devices.get(deviceId);
    if (state === undefined || !state.online) return undefined;
    if (reason === 'disconnected') {
      state.disconnected = true;
      return undefined;
    }
    return this.offline(deviceId, state, at, reason);
  }

  /** Offlines every online device silent for more than `heartbeatMisses` of its heartbeat intervals. */
  sweep(now: number): PresenceTransition[] {
    const transitions: PresenceTransition[] = [];
    for (const [deviceId, state] of this.devices) {
      if (!state.online || state.lastSeenAt === null) continue;
      const deadline = state.lastSeenAt + this.policy.heartbeatMisses * state.heartbeatS * 1000;
      if (now > deadline) transitions.push(this.offline(deviceId, state, now, state.disconnected ? 'disconnected' : 'missed_heartbeats'));
    }
    return transitions;
  }

  isOnline(deviceId: string): boolean {
    return this.devices.get(deviceId)?.online ?? false;
  }

  lastSeenAt(deviceId: string): number | null {
    return this.devices.get(deviceId)?.lastSeenAt ?? null;
  }

  private stateOf(deviceId: string): DeviceState {
    let state = this.devices.get(deviceId);
    if (state === undefined) {
      state = { online: false, lastSeenAt: null, heartbeatS: this.policy.defaultHeartbeatS, disconnected: false };
      this.devices.set(deviceId, state);
    }
    return state;
  }

  private offline(deviceId: string, state: DeviceState, at: number, reason: OfflineReason): PresenceTransition {
    state.online = false;
    state.disconnected = false;
    return { deviceId, state: 'offline', at, reason, lastSeenAt: state.lastSeenAt };
  }
}
