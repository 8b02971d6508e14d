/**
 * Password hashing with Argon2id (RFC 9106) through @node-rs/argon2.
 *
 * Parameters: m = 19 MiB, t = 2, p = 1 — the OWASP Password Storage Cheat
 * Sheet's first Argon2id configuration (equivalent strength to its
 * m = 46 MiB, t = 1 option with less memory per login, which matters on the
 * small district servers this runs on). About 25–40 ms per hash on one core
 * here, so a burst of logins cannot starve the event loop: the work runs on
 * libuv's thread pool. The parameters are stored in each PHC string, so
 * raising them later keeps old hashes verifiable (`needsRehash`).
 */
import { hash, verify, type Options } from '@node-rs/argon2';

/** @node-rs/argon2's `Algorithm.Argon2id` (a const enum, which isolatedModules cannot read). */
const ARGON2ID = 2;

export const ARGON2_OPTIONS: Readonly<Options> = {
  algorithm: ARGON2ID,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};

export class PasswordHasher {
  constructor(private readonly options: Readonly<Options> = ARGON2_OPTIONS) {}

  hash(password: string): Promise<string> {
    return hash(password, this.options);
  }

  /** False for a wrong password and for a malformed stored hash. */
  async verify(storedHash: string, password: string): Promise<boolean> {
    try {
      return await verify(storedHash, password);
    } catch {
      return false;
    }
  }

  /** True when the stored hash uses weaker parameters than the current ones. */
  needsRehash(storedHash: string): boolean {
    const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(storedHash);
    if (!match) return true;
    return Number(match[1]) < (this.options.memoryCost ?? 0) || Number(match[2]) < (this.options.timeCost ?? 0);
  }
}
