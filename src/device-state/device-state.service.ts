/**
 * Device state (ThingsBoard's "attributes"): online, last seen, battery,
 * signal, firmware. Kept in memory and flushed to SQL in batches every few
 * seconds, never per message (ThingsBoard's bottleneck at 100k devices).
 * Presence decisions are the pure DevicePresence's; this class turns them into
 * domain events.
 */
import { getDeviceType } from '../../devices/catalogue.js';
import type { UplinkMessage } from '../../devices/decode-uplink.js';
import type { DeviceBinding } from '../domain/events/domain-events.js';
import type { DomainEventBus } from '../domain/events/event-bus.js';
import { boundHeartbeat, DevicePresence, type PresenceTransition } from '../domain/presence/device-presence.js';
import type { DeviceActivity } from '../ingest/ingest.service.js';
import type { DeviceStateRow } from '../registry/device-state.repository.js';
import type { DeviceDirectoryCache } from './device-directory.cache.js';

/** A device's attributes as the registry stores them, without the snapshot time. */
export type DeviceState = Omit<DeviceStateRow, 'updatedAt'>;

/** Counts what supervision corrects (the adapter is prom-client). */
export interface DeviceStateMetrics {
  /** A device announced a heartbeat interval above its type's maximum. */
  heartbeatAboveMax(deviceType: string): void;
}

export interface DeviceStatePersistence {
  loadDeviceStates(): Promise<DeviceState[]>;
  saveDeviceStates(states: readonly DeviceState[], at: number): Promise<void>;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class DeviceStateService implements DeviceActivity {
  private readonly states = new Map<string, Mutable<DeviceState>>();
  private readonly dirty = new Set<string>();
  private readonly heartbeatKnown = new Set<string>();

  constructor(
    private readonly directory: DeviceDirectoryCache,
    private readonly presence: DevicePresence,
    private readonly bus: DomainEventBus,
    private readonly persistence: DeviceStatePersistence,
    private readonly metrics?: DeviceStateMetrics,
  ) {}

  /** Restores the last flushed states. Devices come back online only when they speak again. */
  async load(): Promise<void> {
    for (const s of await this.persistence.loadDeviceStates()) this.states.set(s.deviceId, { ...s, online: false });
  }

  seen(binding: DeviceBinding, receivedAt: number, message: UplinkMessage): void {
    const state = this.stateOf(binding.deviceId);
    state.lastSeenAt = Math.max(state.lastSeenAt ?? receivedAt, receivedAt);
    if (message.kind === 'status') {
      const { battery, rssi, firmware } = message.status;
      if (battery !== undefined) state.battery = battery;
      if (rssi !== undefined) state.rssi = rssi;
      if (firmware !== undefined) state.firmware = firmware;
    }
    this.dirty.add(binding.deviceId);
    this.apply(this.presence.markSeen(binding.deviceId, receivedAt, this.heartbeatOf(binding, message, state)));
  }

  connected(deviceId: string, at: number): void {
    this.apply(this.presence.markConnected(deviceId, at));
  }

  disconnected(deviceId: string, at: number, reason: 'last_will' | 'disconnected'): void {
    this.apply(this.presence.markDisconnected(deviceId, at, reason));
  }

  /** Server-time supervision: devices that missed their heartbeats go offline. */
  sweep(now: number): void {
    for (const t of this.presence.sweep(now)) this.apply(t);
  }

  get(deviceId: string): DeviceState | undefined {
    return this.states.get(deviceId);
  }

  onlineCount(): number {
    let n = 0;
    for (const s of this.states.values()) if (s.online) n++;
    return n;
  }

  async flush(now: number): Promise<void> {
    if (this.dirty.size === 0) return;
    const rows = [...this.dirty].flatMap((id) => {
      const s = this.states.get(id);
      return s ? [{ ...s }] : [];
    });
    this.dirty.clear();
    try {
      await this.persistence.saveDeviceStates(rows, now);
    } catch (error) {
      // Keep them dirty so the next flush tries again.
      for (const r of rows) this.dirty.add(r.deviceId);
      throw error;
    }
  }

  private apply(transition: PresenceTransition | undefined): void {
    if (!transition) return;
    const state = this.stateOf(transition.deviceId);
    state.online = transition.state === 'online';
    this.dirty.add(transition.deviceId);
    const binding = this.directory.get(transition.deviceId);
    if (!binding) return;
    const { secretHash, disabled, ...deviceBinding } = binding;
    if (transition.state === 'online') this.bus.publish('DeviceWentOnline', { ...deviceBinding, at: transition.at });
    else this.bus.publish('DeviceWentOffline', { ...deviceBinding, at: transition.at, reason: transition.reason, lastSeenAt: transition.lastSeenAt });
  }

  /**
   * The interval supervision expects: what the device announced in its
   * status, held to its type's maximum (counted, and kept on the device's
   * state for the operator), else its type's nominal interval the first time
   * we see it (a battery sensor beats every 5 minutes, a mattress every minute).
   */
  private heartbeatOf(binding: DeviceBinding, message: UplinkMessage, state: Mutable<DeviceState>): number | undefined {
    if (message.kind === 'status' && message.status.heartbeatS !== undefined) {
      this.heartbeatKnown.add(binding.deviceId);
      const bounded = boundHeartbeat(message.status.heartbeatS, getDeviceType(binding.deviceType).maxHeartbeatIntervalS);
      state.announcedHeartbeatS = bounded.aboveMax ? message.status.heartbeatS : null;
      if (bounded.aboveMax) this.metrics?.heartbeatAboveMax(binding.deviceType);
      return bounded.heartbeatS;
    }
    if (this.heartbeatKnown.has(binding.deviceId)) return undefined;
    this.heartbeatKnown.add(binding.deviceId);
    return getDeviceType(binding.deviceType).heartbeatIntervalS;
  }

  private stateOf(deviceId: string): Mutable<DeviceState> {
    let state = this.states.get(deviceId);
    if (!state) {
      state = { deviceId, online: false, lastSeenAt: null, battery: null, rssi: null, firmware: null, announcedHeartbeatS: null };
      this.states.set(deviceId, state);
    }
    return state;
  }
}
