import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

export const run = promisify(execFile);

/** Compiled entry points; `npm test` builds first (pretest). */
export function distPath(relative: string): string {
  const path = new URL(`../../dist/${relative}`, import.meta.url).pathname;
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build\` first (npm test does it in pretest)`);
  return path;
}

/**
 * The environment of the real backend as a child process (`node dist/src/main.js`)
 * on loopback ports, demo data off, the test admin token; `extra` adds to it.
 */
export function backendEnv(o: { dataDir: string; httpPort: number; mqttPort: number; adminToken: string; extra?: Record<string, string> }): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ANXIN_DATA_DIR: o.dataDir,
    ANXIN_HTTP_HOST: '127.0.0.1',
    ANXIN_HTTP_PORT: String(o.httpPort),
    ANXIN_MQTT_HOST: '127.0.0.1',
    ANXIN_MQTT_PORT: String(o.mqttPort),
    ANXIN_ADMIN_TOKEN: o.adminToken,
    ANXIN_DEMO: 'false',
    ANXIN_LOG_LEVEL: 'warn',
    ...o.extra,
  };
}

/** Publishes one message with Debian's mosquitto_pub (a real, independent MQTT client). */
export async function mosquittoPub(args: { port: number; deviceId: string; secret: string; topic: string; message: string; qos?: 0 | 1 }): Promise<void> {
  await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(args.port), '-i', args.deviceId, '-u', args.deviceId, '-P', args.secret, '-q', String(args.qos ?? 1), '-t', args.topic, '-m', args.message]);
}
