/**
 * Device state snapshots. Supervision keeps state in memory and calls
 * `saveDeviceStates` every few seconds with what changed; `loadDeviceStates`
 * restores it at startup. One transaction per batch: a crash leaves either the
 * previous or the new snapshot of a batch, never half of it.
 */
import { withTransaction, type RegistryDb } from './database.js';

export interface DeviceStateRow {
  readonly deviceId: string;
  readonly online: boolean;
  /** Server time of the last message, epoch ms; null if never seen. */
  readonly lastSeenAt: number | null;
  /** 0–100 %. */
  readonly battery: number | null;
  /** dBm. */
  readonly rssi: number | null;
  readonly firmware: string | null;
  /**
   * The heartbeat interval (s) the device last announced when it is above its
   * type's maximum (supervision keeps the maximum); null while within bounds.
   */
  readonly announcedHeartbeatS: number | null;
  /** When this snapshot was taken, epoch ms. */
  readonly updatedAt: number;
}

export interface SaveDeviceStatesResult {
  readonly saved: number;
  /** Ids not in the registry (deleted, or never provisioned): dropped, not failing the batch. */
  readonly unknownDeviceIds: readonly string[];
}

/** 8 columns × 500 rows = 4,000 bound parameters per statement, well under SQLite's and PostgreSQL's limits. */
const CHUNK = 500;

export class DeviceStateRepository {
  constructor(private readonly db: RegistryDb) {}

  /**
   * Upserts a batch of states in one transaction. When the batch holds the
   * same device twice, the last row wins.
   */
  async saveDeviceStates(states: readonly DeviceStateRow[]): Promise<SaveDeviceStatesResult> {
    const latest = new Map<string, DeviceStateRow>();
    for (const state of states) latest.set(state.deviceId, state);
    if (latest.size === 0) return { saved: 0, unknownDeviceIds: [] };
    const all = [...latest.values()];
    const unknownDeviceIds: string[] = [];
    let saved = 0;

    await withTransaction(this.db, async (trx) => {
      for (let i = 0; i < all.length; i += CHUNK) {
        const chunk = all.slice(i, i + CHUNK);
        const known = new Set(
          (await trx.selectFrom('devices').select('id').where('id', 'in', chunk.map((s) => s.deviceId)).execute()).map((r) => r.id),
        );
        const rows = chunk
          .filter((s) => {
            if (known.has(s.deviceId)) return true;
            unknownDeviceIds.push(s.deviceId);
            return false;
          })
          .map((s) => ({
            device_id: s.deviceId,
            online: s.online ? 1 : 0,
            last_seen_at: s.lastSeenAt,
            battery: s.battery,
            rssi: s.rssi,
            firmware: s.firmware,
            announced_heartbeat_s: s.announcedHeartbeatS,
            updated_at: s.updatedAt,
          }));
        if (rows.length === 0) continue;
        await trx
          .insertInto('device_states')
          .values(rows)
          .onConflict((oc) =>
            oc.column('device_id').doUpdateSet((eb) => ({
              online: eb.ref('excluded.online'),
              last_seen_at: eb.ref('excluded.last_seen_at'),
              battery: eb.ref('excluded.battery'),
              rssi: eb.ref('excluded.rssi'),
              firmware: eb.ref('excluded.firmware'),
              announced_heartbeat_s: eb.ref('excluded.announced_heartbeat_s'),
              updated_at: eb.ref('excluded.updated_at'),
            })),
          )
          .execute();
        saved += rows.length;
      }
    });
    return { saved, unknownDeviceIds };
  }

  /** Every stored state, in device id order. */
  async loadDeviceStates(): Promise<DeviceStateRow[]> {
    const rows = await this.db.selectFrom('device_states').selectAll().orderBy('device_id').execute();
    return rows.map((r) => ({
      deviceId: r.device_id,
      online: r.online === 1,
      lastSeenAt: r.last_seen_at === null ? null : Number(r.last_seen_at),
      battery: r.battery,
      rssi: r.rssi,
      firmware: r.firmware,
      announcedHeartbeatS: r.announced_heartbeat_s,
      updatedAt: Number(r.updated_at),
    }));
  }
}
