/**
 * A throw-away InfluxDB 1.x server for integration tests: its own config,
 * data/meta/wal dirs in a fresh temp dir, free ports, quiet logs.
 *
 * @example
 *   const influx = await startInfluxServer();
 *   // … new InfluxTelemetryStore({ url: influx.url, version: 1, database: 'anxin' })
 *   await influx.dispose();
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface InfluxServer {
  /** e.g. `http://127.0.0.1:40123` */
  readonly url: string;
  readonly port: number;
  /** SIGTERM, then resolves once the process has exited. */
  stop(): Promise<void>;
  /** SIGKILL, without waiting: a crash. */
  kill(): void;
  /** Starts again on the same port and data dir (after stop() or kill()). */
  restart(): Promise<void>;
  /** Runs InfluxQL over HTTP (`/query?epoch=ms`) and returns the parsed JSON. */
  query(influxql: string, db?: string): Promise<InfluxQueryResponse>;
  /** stop() and remove the temp dir. */
  dispose(): Promise<void>;
}

export interface InfluxQueryResponse {
  results: { statement_id: number; series?: { name: string; columns: string[]; values: unknown[][] }[]; error?: string }[];
  error?: string;
}

export interface StartInfluxOptions {
  /** Binary to run; default `influxd` from PATH. */
  readonly influxd?: string;
  /** How long to wait for `/ping` to answer 204; default 20 s. */
  readonly startTimeoutMs?: number;
}

const NOT_FOUND = 'InfluxDB 1.x not found: apt-get install influxdb influxdb-client, or run .ci/run';

/** Spawns `influxd` and waits until `/ping` answers 204. Never skips: throws when influxd is missing. */
export async function startInfluxServer(opts: StartInfluxOptions = {}): Promise<InfluxServer> {
  const influxd = opts.influxd ?? 'influxd';
  const startTimeoutMs = opts.startTimeoutMs ?? 20_000;
  if (spawnSync(influxd, ['version'], { stdio: 'ignore' }).error) throw new Error(NOT_FOUND);

  const dir = await mkdtemp(join(tmpdir(), 'anxin-influx-'));
  const port = await findFreePort();
  // influxd 1.x also binds the RPC (backup/restore) service on 8088 by default:
  // give it a free port too so parallel instances do not clash.
  const rpcPort = await findFreePort();
  const configPath = join(dir, 'influxdb.conf');
  await writeFile(configPath, renderConfig(dir, port, rpcPort));

  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let stderrTail = '';

  const launch = async (): Promise<void> => {
    stderrTail = '';
    const proc = spawn(influxd, ['-config', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-4000);
    });
    const exited = new Promise<never>((_, reject) => {
      proc.once('exit', (code, signal) => reject(new Error(`influxd exited (${code ?? signal}) before answering /ping:\n${stderrTail}`)));
      proc.once('error', reject);
    });
    exited.catch(() => undefined); // observed through the race below
    try {
      await Promise.race([waitForPing(url, startTimeoutMs), exited]);
    } catch (err) {
      proc.kill('SIGKILL');
      throw err;
    }
  };

  const stop = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  await launch();

  return {
    url,
    port,
    stop,
    kill: () => {
      child?.kill('SIGKILL');
    },
    restart: async () => {
      await stop();
      await launch();
    },
    query: async (influxql, db) => {
      const params = new URLSearchParams({ q: influxql, epoch: 'ms' });
      if (db !== undefined) params.set('db', db);
      const res = await fetch(`${url}/query`, { method: 'POST', body: params });
      return (await res.json()) as InfluxQueryResponse;
    },
    dispose: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function renderConfig(dir: string, port: number, rpcPort: number): string {
  // Keys as in influxdb 1.6's `influxd config` output.
  return `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"

[meta]
  dir = "${join(dir, 'meta')}"
  logging-enabled = false

[data]
  dir = "${join(dir, 'data')}"
  wal-dir = "${join(dir, 'wal')}"
  query-log-enabled = false
  trace-logging-enabled = false

[http]
  enabled = true
  bind-address = "127.0.0.1:${port}"
  auth-enabled = false
  log-enabled = false
  write-tracing = false

[logging]
  level = "error"
  suppress-logo = true

[monitor]
  store-enabled = false

[subscriber]
  enabled = false
`;
}

async function waitForPing(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`${url}/ping`);
      if (res.status === 204) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`influxd did not answer ${url}/ping within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Asks the kernel for a free port (a small race with other processes is accepted). */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}
