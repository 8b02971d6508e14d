#!/usr/bin/env node
/**
 * `npm run sim -- <command>`: run simulated homes against a broker.
 *
 *   list                                  scenarios in the library
 *   fleet --homes 20 --demo-key K         a live fleet (or --manifest f.json, or --api URL --admin-token T)
 *   run --scenario fall-at-night --speed 600 --days 1
 *   check --scenario all --api URL --admin-token T --demo-key K
 */
import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { startFleet, type Fleet, type FleetStats } from './fleet/fleet.js';
import { buildDemoManifest, loadManifestFile, withDemoSecrets, type FleetManifest } from './manifest/fleet-manifest.js';
import { PlatformClient } from './platform/platform-client.js';
import { checkScenario, type CheckResult, type ObservedAlert } from './scenarios/check-scenario.js';
import { runScenario, type ScenarioRun } from './scenarios/run-scenario.js';
import { SCENARIOS } from './scenarios/scenario-library.js';
import { formatLocal } from './util/local-time.js';
import type { Logger } from './fleet/sim-engine.js';

interface CommonOptions {
  broker: string;
  homes: number;
  seed: string;
  speed: number;
  manifest?: string;
  api?: string;
  adminToken?: string;
  demoKey?: string;
  maxRate: number;
}

const logger: Logger = {
  info: (m) => process.stderr.write(`${m}\n`),
  warn: (m) => process.stderr.write(`warning: ${m}\n`),
};

function addCommon(cmd: Command): Command {
  return cmd
    .option('--broker <url>', 'MQTT broker', 'mqtt://127.0.0.1:1883')
    .option('--homes <n>', 'homes', (v) => parsePositive(v, 'homes'), 1)
    .option('--seed <seed>', 'seed for everything random', '1')
    .option('--manifest <file>', 'fleet manifest JSON file')
    .option('--api <url>', 'platform base URL (manifest and alerts)')
    .option('--admin-token <token>', 'platform admin token')
    .option('--demo-key <key>', 'demo key: secret = base64url(HMAC-SHA256(key, deviceId))')
    .option('--max-rate <n>', 'publishes per second a device allows itself', (v) => parsePositive(v, 'max-rate'), 10);
}

function parsePositive(value: string, name: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new Error(`--${name} must be a positive number`);
  return n;
}

async function resolveManifest(o: CommonOptions): Promise<FleetManifest> {
  let manifest: FleetManifest;
  if (o.manifest) manifest = await loadManifestFile(o.manifest);
  else if (o.api) manifest = await platform(o).fetchManifest(o.homes);
  else manifest = buildDemoManifest(o.homes, o.seed);
  return withDemoSecrets(manifest, o.demoKey);
}

function platform(o: CommonOptions): PlatformClient {
  if (!o.api || !o.adminToken) throw new Error('--api and --admin-token are both needed');
  return new PlatformClient({ baseUrl: o.api, adminToken: o.adminToken });
}

function summary(s: FleetStats): string {
  const mb = (b: number): string => `${(b / 1_048_576).toFixed(1)} MiB`;
  return [
    `devices ${s.devices} (${s.online} online, ${s.processes} process${s.processes > 1 ? 'es' : ''})`,
    `produced ${s.produced}; sent telemetry ${s.sent.telemetry}, event ${s.sent.event}, status ${s.sent.status}, cmd/reply ${s.sent['cmd/reply']}`,
    `buffered ${s.buffered}, uploaded ${s.uploaded} in ${s.batches} batches, pending ${s.pending}, dropped from flash ${s.droppedFromFlash}`,
    `connects ${s.connects}, reconnects ${s.reconnects}, failed attempts ${s.connectFailures} (refused ${s.refusedConnects}), commands ${s.commands}`,
    `memory: RSS ${mb(s.rssBytes)}, heap ${mb(s.heapUsedBytes)}, ${(s.rssPerDeviceBytes / 1024).toFixed(1)} KiB RSS per device`,
  ].join('\n');
}

/** Shows progress until `until` resolves; returns the last stats. */
async function watch(fleet: Fleet, from: number, to: number | undefined, until: Promise<unknown>): Promise<FleetStats> {
  const bar = new cliProgress.SingleBar(
    { format: to === undefined ? '{sim} | {produced} msgs | {online}/{devices} online | {rate} msg/s' : '[{bar}] {percentage}% | {sim} | {produced} msgs | {online}/{devices} online | {rate} msg/s', stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  const total = to === undefined ? 1 : to - from;
  bar.start(total, 0, { sim: formatLocal(from), produced: 0, online: 0, devices: 0, rate: 0 });
  let last = 0;
  let lastAt = Date.now();
  let stopped = false;
  void until.then(() => (stopped = true));
  while (!stopped) {
    await new Promise((r) => setTimeout(r, 1_000));
    const s = await fleet.stats();
    const now = Date.now();
    const rate = Math.round(((s.produced - last) * 1000) / Math.max(1, now - lastAt));
    last = s.produced;
    lastAt = now;
    bar.update(to === undefined ? 0 : Math.min(total, s.simNow - from), { sim: formatLocal(s.simNow), produced: s.produced, online: s.online, devices: s.devices, rate });
  }
  bar.stop();
  return fleet.stats();
}

function onSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

async function runScenarioCommand(o: CommonOptions & { scenario: string; days: number; lagS: number }, check: boolean): Promise<void> {
  const manifest = await resolveManifest(o);
  const run = await runScenario({ brokerUrl: o.broker, manifest, scenario: o.scenario, seed: o.seed, speed: o.speed, days: o.days, logger, maxPublishPerS: o.maxRate });
  logger.info(`simulating ${formatLocal(run.startAt)} → ${formatLocal(run.endAt)} (Asia/Shanghai) at ${o.speed}×`);
  for (const a of run.assignments) logger.info(`  ${a.scenario}: home ${a.homeId}, resident ${a.residentId}`);
  const stats = await watch(run.fleet, run.startAt, run.endAt, Promise.race([run.fleet.done, onSignal()]));
  const drained = await run.fleet.drain(30_000);
  const final = await run.fleet.stats().catch(() => stats);
  await run.fleet.stop();
  process.stdout.write(`${summary(final)}\n${drained ? '' : 'warning: not every buffered message was acknowledged\n'}`);
  printExpectation(run);
  if (!check) return;
  logger.info(`waiting ${o.lagS} s for the platform to evaluate`);
  await new Promise((r) => setTimeout(r, o.lagS * 1000));
  const client = platform(o);
  const alerts: ObservedAlert[] = [];
  for (const residentId of run.expectation.residentIds) {
    alerts.push(...(await client.fetchAlerts(residentId, run.expectation.from, run.expectation.to)));
  }
  const result = checkScenario(run.expectation, alerts);
  printCheck(result);
  if (!result.passed) process.exitCode = 1;
}

function printExpectation(run: ScenarioRun): void {
  const e = run.expectation;
  process.stdout.write(`expected alerts (${e.expected.length}):\n`);
  for (const x of e.expected) process.stdout.write(`  ${x.kind}${x.severity ? ` [${x.severity}]` : ''} resident ${x.residentId} ${formatLocal(x.from)} → ${formatLocal(x.to)}: ${x.note}\n`);
  for (const f of e.forbidden) process.stdout.write(`  must NOT: ${f.kind}${f.severities ? ` [${f.severities.join('|')}]` : ''} resident ${f.residentId}: ${f.note}\n`);
}

function printCheck(r: CheckResult): void {
  process.stdout.write(`detected ${r.detected.length}, missed ${r.missed.length}, unexpected ${r.unexpected.length}: ${r.passed ? 'PASS' : 'FAIL'}\n`);
  for (const d of r.detected) process.stdout.write(`  ✓ ${d.expected.kind} ${d.expected.residentId} at ${formatLocal(d.alert.firstRaisedAt)} (${d.alert.severity})\n`);
  for (const m of r.missed) process.stdout.write(`  ✗ missed ${m.kind} ${m.residentId} ${formatLocal(m.from)} → ${formatLocal(m.to)}: ${m.note}\n`);
  for (const u of r.unexpected) process.stdout.write(`  ! ${u.reason} ${u.alert.kind} [${u.alert.severity}] ${u.alert.residentId ?? ''} at ${formatLocal(u.alert.firstRaisedAt)}${u.note ? `: ${u.note}` : ''}\n`);
}

const program = new Command('anxin-sim').description('Anxin firmware simulator: simulated homes, devices and scenarios over MQTT');

program
  .command('list')
  .description('list the scenarios')
  .action(() => {
    for (const s of SCENARIOS) {
      const kinds = s.expect.map((e) => e.kind).join(', ') || 'no alert';
      process.stdout.write(`${s.name.padEnd(22)} ${s.title}\n${''.padEnd(22)} expects: ${kinds}\n`);
    }
  });

addCommon(program.command('fleet').description('run homes live (or accelerated from --days ago) until Ctrl-C'))
  .addOption(new Option('--speed <x>', 'time acceleration').argParser((v) => parsePositive(v, 'speed')).default(1))
  .addOption(new Option('--days <n>', 'start this many days ago (needs --speed > 1 to catch up)').argParser((v) => parsePositive(v, 'days')).default(0))
  .action(async (o: CommonOptions & { days: number }) => {
    const manifest = await resolveManifest(o);
    const startAt = Date.now() - o.days * 86_400_000;
    const fleet = await startFleet({ brokerUrl: o.broker, manifest, seed: o.seed, speed: o.speed, startAt, logger, maxPublishPerS: o.maxRate });
    const stats = await watch(fleet, startAt, undefined, onSignal());
    await fleet.stop();
    process.stdout.write(`${summary(stats)}\n`);
  });

for (const [name, check] of [['run', false], ['check', true]] as const) {
  addCommon(program.command(name).description(check ? 'run a scenario and compare the platform\'s alerts with its ground truth' : 'run a scenario and print the alerts it should raise'))
    .requiredOption('--scenario <name>', 'scenario name or "all"')
    .addOption(new Option('--speed <x>', 'time acceleration').argParser((v) => parsePositive(v, 'speed')).default(60))
    .addOption(new Option('--days <n>', 'simulated days (the scenario is on the last)').argParser((v) => parsePositive(v, 'days')).default(1))
    .addOption(new Option('--lag-s <s>', 'seconds to wait before reading alerts').argParser(Number).default(10))
    .action((o: CommonOptions & { scenario: string; days: number; lagS: number }) => runScenarioCommand(o, check));
}

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
