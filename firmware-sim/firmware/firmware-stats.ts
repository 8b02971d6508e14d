/** Counters a fleet keeps (one object shared by all its devices, so memory does not grow per device). */
export interface FirmwareCounters {
  /** Messages created (given a seq): telemetry, event, status, cmd/reply. */
  produced: number;
  /** Acknowledged single publishes, by channel. */
  sent: { telemetry: number; event: number; status: number; 'cmd/reply': number };
  /** Messages that went to flash (offline, or over the device's publish rate). */
  buffered: number;
  /** Buffered messages acknowledged inside a batch. */
  uploaded: number;
  batches: number;
  /** Oldest flash items overwritten because the store was full. */
  droppedFromFlash: number;
  /** Command replies lost with a connection (replies are never buffered). */
  repliesLost: number;
  connects: number;
  /** Connects after the first one of a device. */
  reconnects: number;
  connectFailures: number;
  refusedConnects: number;
  commands: number;
}

export function emptyCounters(): FirmwareCounters {
  return {
    produced: 0,
    sent: { telemetry: 0, event: 0, status: 0, 'cmd/reply': 0 },
    buffered: 0,
    uploaded: 0,
    batches: 0,
    droppedFromFlash: 0,
    repliesLost: 0,
    connects: 0,
    reconnects: 0,
    connectFailures: 0,
    refusedConnects: 0,
    commands: 0,
  };
}

/** Adds `b` into `a` (for merging shards). */
export function addCounters(a: FirmwareCounters, b: FirmwareCounters): FirmwareCounters {
  return {
    produced: a.produced + b.produced,
    sent: {
      telemetry: a.sent.telemetry + b.sent.telemetry,
      event: a.sent.event + b.sent.event,
      status: a.sent.status + b.sent.status,
      'cmd/reply': a.sent['cmd/reply'] + b.sent['cmd/reply'],
    },
    buffered: a.buffered + b.buffered,
    uploaded: a.uploaded + b.uploaded,
    batches: a.batches + b.batches,
    droppedFromFlash: a.droppedFromFlash + b.droppedFromFlash,
    repliesLost: a.repliesLost + b.repliesLost,
    connects: a.connects + b.connects,
    reconnects: a.reconnects + b.reconnects,
    connectFailures: a.connectFailures + b.connectFailures,
    refusedConnects: a.refusedConnects + b.refusedConnects,
    commands: a.commands + b.commands,
  };
}
