/**
 * `npm run soak:normal-day` — issue 4's soak: 50 demo homes live seven
 * ordinary simulated days (every device at its catalogue rate) against one
 * platform storing into a real InfluxDB 1.x; the platform must raise no
 * alert. Prints the alerts it did raise (kind, resident, local time), the
 * messages taken in and refused, and exits 1 on any alert.
 *
 * Tens of minutes on a 2-core machine (the platform sets the pace); CI runs
 * a two-day, few-home smoke of the same code (test/e2e/simulation).
 */
import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { runNormalDaySoak } from '../test/e2e/simulation/normal-day-soak.js';

const positive = (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`expected a positive number, got "${v}"`);
  return n;
};

/** Asia/Shanghai wall-clock time, as the scenarios are written. */
const local = (ts: number): string => new Date(ts + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

async function main(): Promise<void> {
  const o = new Command('soak:normal-day')
    .option('--homes <n>', 'demo homes', positive, 50)
    .option('--days <n>', 'simulated days', positive, 7)
    .option('--speed <n>', 'ceiling of simulated seconds per real second (the platform sets the pace)', positive, 2_880)
    .option('--seed <s>', 'simulation seed', 'normal-day-soak')
    .addOption(new Option('--store <store>', 'telemetry store').choices(['influx', 'embedded']).default('influx'))
    .parse()
    .opts<{ homes: number; days: number; speed: number; seed: string; store: 'influx' | 'embedded' }>();

  process.stdout.write(`normal-day soak: ${o.homes} homes × ${o.days} simulated days, up to ${o.speed}×, store ${o.store}\n`);
  const bar = new cliProgress.SingleBar(
    { format: '  {bar} {value}/{total} simulated days | {accepted} messages taken in | {rate} msg/s | {real}', hideCursor: true, noTTYOutput: true, notTTYSchedule: 30_000 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(o.days, 0, { accepted: 0, rate: 0, real: '0 s' });
  const result = await runNormalDaySoak({
    homes: o.homes,
    days: o.days,
    speed: o.speed,
    seed: o.seed,
    store: o.store,
    onProgress: (p) =>
      bar.update(Math.round(p.simulatedDays * 100) / 100, {
        accepted: p.accepted.toLocaleString('en'),
        rate: Math.round(p.accepted / p.realSeconds).toLocaleString('en'),
        real: `${Math.round(p.realSeconds)} s`,
      }),
  });
  bar.update(o.days);
  bar.stop();

  const accepted = Object.values(result.accepted).reduce((a, b) => a + b, 0);
  const rejected = Object.entries(result.rejected).filter(([, n]) => n > 0);
  process.stdout.write(
    [
      `simulated ${local(result.startAt)} → ${local(result.endAt)} (Asia/Shanghai) for ${result.homes} homes, ${result.residents} residents, ${result.devices} devices`,
      `taken in: ${accepted.toLocaleString('en')} messages (${Object.entries(result.accepted).map(([c, n]) => `${c} ${n.toLocaleString('en')}`).join(', ')}) in ${result.realSeconds.toFixed(0)} s real, ${Math.round(accepted / result.realSeconds).toLocaleString('en')} msg/s; ${(accepted / result.nominalMessages).toFixed(3)} of the catalogue's nominal ${result.nominalMessages.toLocaleString('en')}`,
      `refused: ${rejected.length === 0 ? 'none' : rejected.map(([r, n]) => `${r} ${n}`).join(', ')}`,
      `fleet: reconnects ${result.fleet.reconnects}, dropped from flash ${result.fleet.droppedFromFlash}, simulator RSS ${(result.fleet.rssBytes / 2 ** 20).toFixed(0)} MiB`,
      `alerts raised: ${result.alerts.length}`,
      ...result.alerts.map((a) => `  ${a.kind}/${a.severity} for ${a.residentId} at ${local(a.firstRaisedAt)}`),
      result.alerts.length === 0 && rejected.length === 0 ? `PASS: ${o.days} ordinary days in ${result.homes} homes raised no alert` : 'FAIL',
    ].join('\n') + '\n',
  );
  process.exitCode = result.alerts.length === 0 && rejected.length === 0 ? 0 : 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
