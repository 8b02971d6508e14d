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

/** Publishes one message with Debian's mosquitto_pub (a real, independent MQTT client). */
export async function mosquittoPub(args: { port: number; deviceId: string; secret: string; topic: string; message: string; qos?: 0 | 1 }): Promise<void> {
  await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(args.port), '-i', args.deviceId, '-u', args.deviceId, '-P', args.secret, '-q', String(args.qos ?? 1), '-t', args.topic, '-m', args.message]);
}
