/**
 * Internal domain events, typed once (STYLE.md §6). Ingest publishes them;
 * rules, device supervision and dispatch subscribe. Timestamps are epoch ms:
 * `ts` is device (event) time, `receivedAt`/`at` is server time.
 */
import type { DeviceType } from '../../../devices/device-type.js';
import type { AlertCleared, AlertDowngraded, AlertRaised, AlertUpdated } from '../alerts/alert.schema.js';
import type { ResolutionOutcome } from '../dispatch/work-order.schema.js';

/** Where a device sits: copied onto every event so rules need no lookups. */
export interface DeviceBinding {
  readonly deviceId: string;
  readonly deviceType: DeviceType;
  readonly residentId: string | null;
  readonly homeId: string | null;
  readonly districtCode: string | null;
  readonly streetCode: string | null;
}

/** Carried by the events ingest publishes for an accepted device message. */
export interface InboxPosition {
  /**
   * Where the message sits in the durable inbox (ids grow in acceptance
   * order). The rule engine's snapshot records the last one it applied, and a
   * restart replays the inbox after it. Absent on events not read from a
   * device message (tests publishing directly).
   */
  readonly inboxId?: number;
}

export interface TelemetryReceived extends DeviceBinding, InboxPosition {
  readonly ts: number;
  readonly receivedAt: number;
  readonly seq: number;
  readonly metrics: Readonly<Record<string, number | boolean | string>>;
  /** True when the sample came in a buffered batch upload (late data). */
  readonly buffered: boolean;
}

export interface DeviceEventReceived extends DeviceBinding, InboxPosition {
  readonly ts: number;
  readonly receivedAt: number;
  readonly seq: number;
  /** The event name from the device type's schema, e.g. 'fall', 'sos', 'smoke', 'bed_exit'. */
  readonly event: string;
  readonly details: Readonly<Record<string, unknown>>;
  readonly buffered: boolean;
}

export interface DeviceStatusReported extends DeviceBinding, InboxPosition {
  readonly ts: number;
  readonly receivedAt: number;
  readonly firmware?: string;
  readonly battery?: number;
  readonly rssi?: number;
}

export interface DeviceWentOnline extends DeviceBinding {
  readonly at: number;
}

export interface DeviceWentOffline extends DeviceBinding {
  readonly at: number;
  /** Last will from the broker, heartbeats missed (supervision), or a clean disconnect. */
  readonly reason: 'last_will' | 'missed_heartbeats' | 'disconnected';
  readonly lastSeenAt: number | null;
}

/** A person closed (结案) the work order of an alert, with its outcome; published by dispatch after the commit. */
export interface WorkOrderResolved {
  readonly orderId: string;
  readonly alertId: string;
  readonly outcome: ResolutionOutcome;
  readonly notes: string;
  /** The staff member or duty officer who closed it. */
  readonly resolvedBy: string;
  readonly at: number;
}

export interface DomainEvents {
  TelemetryReceived: TelemetryReceived;
  DeviceEventReceived: DeviceEventReceived;
  DeviceStatusReported: DeviceStatusReported;
  DeviceWentOnline: DeviceWentOnline;
  DeviceWentOffline: DeviceWentOffline;
  /** Published by alerting after the rule engine decided; each carries the whole alert after the change. */
  AlertRaised: AlertRaised;
  AlertUpdated: AlertUpdated;
  AlertCleared: AlertCleared;
  AlertDowngraded: AlertDowngraded;
  WorkOrderResolved: WorkOrderResolved;
}
export type DomainEventName = keyof DomainEvents;
