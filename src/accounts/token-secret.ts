/**
 * The HS256 key that signs account tokens: `auth.tokenSecret` from the
 * configuration when set, otherwise a random 256-bit key generated on first
 * start and kept in the data dir (`auth-token-secret`, mode 0600), so a
 * restart keeps issued tokens valid. Deleting the file invalidates every
 * token at the next start.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export const TOKEN_SECRET_FILE = 'auth-token-secret';

/**
 * The `auth` configuration section. The platform's config schema does not
 * carry it yet (see the report for the one-line addition); until it does the
 * defaults apply and the secret lives in the data dir.
 */
export const authConfigSchema = z
  .object({
    /** At least 32 characters (RFC 7518 §3.2: an HS256 key of at least 256 bits). */
    tokenSecret: z.string().min(32).optional(),
    /** Lifetime of an account token: 12 h by default, one shift. */
    tokenTtlMinutes: z.coerce.number().int().min(1).max(7 * 24 * 60).default(12 * 60),
  })
  .prefault({});
export type AuthConfig = z.infer<typeof authConfigSchema>;

/** Reads the `auth` section from a parsed platform config, tolerating its absence. */
export function authConfigOf(config: unknown): AuthConfig {
  const section = typeof config === 'object' && config !== null ? (config as { readonly auth?: unknown }).auth : undefined;
  return authConfigSchema.parse(section ?? {});
}

export function resolveTokenSecret(configured: string | undefined, dataDir: string): Uint8Array {
  if (configured !== undefined) return new TextEncoder().encode(configured);
  const path = join(dataDir, TOKEN_SECRET_FILE);
  try {
    return Buffer.from(readFileSync(path, 'utf8').trim(), 'base64url');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomBytes(32);
  try {
    // 'wx': two processes starting on the same data dir cannot overwrite each other's key.
    writeFileSync(path, secret.toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return Buffer.from(readFileSync(path, 'utf8').trim(), 'base64url');
  }
}
