/**
 * Device secrets: generation, hashing and verification.
 *
 * Why a plain SHA-256 and not bcrypt/scrypt/argon2: a device secret is 32
 * random bytes (256 bits) from the OS CSPRNG, not a human-chosen password.
 * Slow or salted KDFs exist to make guessing low-entropy passwords expensive;
 * against 2^256 possibilities there is no dictionary to try, so a stolen hash
 * table reveals nothing usable. A slow KDF would instead make every MQTT
 * CONNECT cost tens of milliseconds of CPU, so a reconnect storm of 10k devices
 * after a broker restart would be CPU-bound for minutes. Hence `sha256:<hex>`,
 * compared in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const SECRET_ALGO = 'sha256';
const SECRET_BYTES = 32;
const HASH_PREFIX = `${SECRET_ALGO}:`;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** A fresh device secret: 32 random bytes, base64url (43 characters). */
export function generateDeviceSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url');
}

/** `sha256:<64 hex>` of the secret's UTF-8 bytes: the only form that is stored. */
export function hashDeviceSecret(secret: string): string {
  return HASH_PREFIX + createHash('sha256').update(secret, 'utf8').digest('hex');
}

/**
 * True when `secret` hashes to `storedHash`. Constant time in the secret
 * (`crypto.timingSafeEqual` on equal-length digests); false for a malformed
 * or unknown-algorithm hash rather than an exception, so the broker's
 * authenticate hook has one failure path.
 *
 * @example verifyDeviceSecret(secret, device.secretHash) // → boolean
 */
export function verifyDeviceSecret(secret: string, storedHash: string): boolean {
  if (!storedHash.startsWith(HASH_PREFIX)) return false;
  const hex = storedHash.slice(HASH_PREFIX.length);
  if (!SHA256_HEX.test(hex)) return false;
  const expected = Buffer.from(hex, 'hex');
  const actual = createHash('sha256').update(secret, 'utf8').digest();
  return timingSafeEqual(actual, expected);
}
