/**
 * Issue 4, acceptance 1 (normal days), CI smoke: five demo homes, alone and
 * as couples, live two ordinary simulated days (across a midnight) with
 * every device at its catalogue rate, against one platform storing into a
 * real InfluxDB; the platform raises no alert for anyone. The full soak, 50
 * homes × 7 days, is the same code: `npm run soak:normal-day`.
 */
import { describe, expect, it } from '@jest/globals';
import { runNormalDaySoak } from './normal-day-soak.js';

describe('ordinary days', () => {
  it('five homes living two ordinary days raise no alert, and every message is taken in', async () => {
    const result = await runNormalDaySoak({ homes: 5, days: 2, speed: 5_000, store: 'influx', seed: 'normal-day-ci' });

    expect(result.alerts.map((a) => `${a.kind}/${a.severity} for ${a.residentId} at ${new Date(a.firstRaisedAt).toISOString()}`)).toEqual([]);
    expect(Object.entries(result.rejected).filter(([, n]) => n > 0)).toEqual([]);
    // The days really were lived: telemetry and heartbeats at the catalogue's rates (events come on top).
    const accepted = Object.values(result.accepted).reduce((a, b) => a + b, 0);
    expect(accepted).toBeGreaterThanOrEqual(0.99 * result.nominalMessages);
    expect(result.residents).toBeGreaterThan(result.homes);
  }, 600_000);
});
