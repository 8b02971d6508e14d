/**
 * Generates a Mosquitto 2.x configuration for a fleet: listener, password
 * file (hashed by `mosquitto_passwd -b`), and an ACL file that gives each
 * device exactly what PROTOCOL.md allows: write under its own topic tree,
 * read only its command topic (`%u` is the username = device id); plus a
 * backend user that reads all uplink and writes commands. Proves the
 * protocol needs nothing broker-specific.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FleetManifest } from '../manifest/fleet-manifest.js';

const run = promisify(execFile);

export interface MosquittoConfigOptions {
  readonly dir: string;
  readonly port: number;
  readonly manifest: FleetManifest;
  readonly backend: { readonly username: string; readonly password: string };
  /** Default /usr/bin/mosquitto_passwd. */
  readonly mosquittoPasswd?: string;
  readonly bindAddress?: string;
  /**
   * Started as root, Mosquitto drops to the `mosquitto` user and then cannot
   * read files in a private temp dir: name the user to keep (e.g. the current one).
   */
  readonly runAsUser?: string;
  /**
   * Keep retained messages, persistent sessions and their queued QoS 1
   * messages across a broker restart (in `dir`). Without it, messages the
   * broker acknowledged to a device but had not yet delivered to the backend
   * are lost when it stops.
   */
  readonly persistence?: boolean;
}

export interface MosquittoConfigFiles {
  readonly config: string;
  readonly passwordFile: string;
  readonly aclFile: string;
}

/** The ACL text (pure, unit-tested). */
export function renderAcl(backendUser: string): string {
  return [
    '# Devices: username = client id = device id (%u).',
    'pattern write anxin/v1/%u/#',
    'pattern read anxin/v1/%u/cmd',
    '',
    `user ${backendUser}`,
    'topic read anxin/v1/+/#',
    'topic write anxin/v1/+/cmd',
    '',
  ].join('\n');
}

export function renderConfig(options: { port: number; bindAddress: string; passwordFile: string; aclFile: string; persistence?: boolean; persistenceDir?: string; runAsUser?: string }): string {
  return [
    ...(options.runAsUser ? [`user ${options.runAsUser}`] : []),
    'per_listener_settings false',
    `listener ${options.port} ${options.bindAddress}`,
    'allow_anonymous false',
    `password_file ${options.passwordFile}`,
    `acl_file ${options.aclFile}`,
    // A device may upload a 256 KiB batch (MAX_PACKET_BYTES) plus topic and header.
    'max_packet_size 266240',
    // Queued QoS 1 messages to a slow subscriber are dropped at Mosquitto's default (TOOLCHAIN.md).
    'max_queued_messages 100000',
    'max_inflight_messages 100',
    `persistence ${options.persistence ? 'true' : 'false'}`,
    ...(options.persistence && options.persistenceDir ? [`persistence_location ${options.persistenceDir}/`] : []),
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    '',
  ].join('\n');
}

export async function writeMosquittoConfig(options: MosquittoConfigOptions): Promise<MosquittoConfigFiles> {
  await mkdir(options.dir, { recursive: true });
  const passwordFile = join(options.dir, 'passwords');
  const aclFile = join(options.dir, 'acl');
  const config = join(options.dir, 'mosquitto.conf');
  const passwd = options.mosquittoPasswd ?? '/usr/bin/mosquitto_passwd';
  // -c creates the file with the first user; -b takes the password from the command line.
  await run(passwd, ['-c', '-b', passwordFile, options.backend.username, options.backend.password]);
  for (const home of options.manifest.homes) {
    for (const device of home.devices) {
      if (device.secret === undefined) throw new Error(`device ${device.deviceId} has no secret`);
      await run(passwd, ['-b', passwordFile, device.deviceId, device.secret]);
    }
  }
  await writeFile(aclFile, renderAcl(options.backend.username));
  await writeFile(
    config,
    renderConfig({ port: options.port, bindAddress: options.bindAddress ?? '127.0.0.1', passwordFile, aclFile, ...(options.runAsUser ? { runAsUser: options.runAsUser } : {}), ...(options.persistence ? { persistence: true, persistenceDir: options.dir } : {}) }),
  );
  return { config, passwordFile, aclFile };
}
