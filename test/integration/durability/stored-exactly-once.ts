import { expect } from '@jest/globals';
import type { DeviceLoad } from '../../support/device-load.js';
import type { InfluxServer } from '../../support/influx-server.js';

/**
 * Every acknowledged message is stored, nothing is stored that was not sent,
 * and no message is stored twice (count() agrees with the distinct timestamps).
 */
export async function expectStoredExactlyOnce(influx: InfluxServer, database: string, load: DeviceLoad): Promise<void> {
  let missing = 0;
  let unexpected = 0;
  let acked = 0;
  for (const [deviceId, ackedTs] of load.acked) {
    const result = await influx.query(`SELECT "motionCount" FROM "activity" WHERE "deviceId" = '${deviceId}'`, database);
    const rows = (result.results[0]?.series?.[0]?.values ?? []) as [number, number][];
    const stored = new Set(rows.map(([ts]) => ts));
    const counted = await influx.query(`SELECT count("motionCount") FROM "activity" WHERE "deviceId" = '${deviceId}'`, database);
    const count = (counted.results[0]?.series?.[0]?.values?.[0]?.[1] as number | undefined) ?? 0;
    expect({ deviceId, count }).toEqual({ deviceId, count: stored.size });
    const sent = load.sent.get(deviceId)!;
    for (const ts of ackedTs) if (!stored.has(ts)) missing++;
    for (const ts of stored) if (!sent.has(ts)) unexpected++;
    acked += ackedTs.size;
  }
  expect(acked).toBeGreaterThan(0);
  expect({ missing, unexpected }).toEqual({ missing: 0, unexpected: 0 });
}
