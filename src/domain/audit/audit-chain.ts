/**
 * Tamper evidence for the audit trail: each entry stores the hash of the one
 * before it and its own, `hash = SHA-256(prevHash ‖ canonical entry)`. The
 * database triggers stop the application from rewriting history; the chain
 * shows whether anyone else (with the database file) did. Changing,
 * removing or inserting a row inside the chain breaks the link at that row.
 *
 * The oldest retained entry's `prevHash` is taken as given: the retention
 * prune removes its predecessors, and records in its own entry how many.
 *
 * @example
 * const first = chainHash(GENESIS_HASH, entry1);  // stored on entry 1
 * const second = chainHash(first, entry2);        // stored on entry 2
 * verifyChain([{ ...entry1, prevHash: GENESIS_HASH, hash: first }, …]) // { ok: true, checked: 2 }
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { NewAuditEntry } from './audit-entry.schema.js';

export const GENESIS_HASH = '0'.repeat(64);

/** The fields in a fixed order; `detail` as its stored JSON text. Changing this breaks every stored chain. */
function canonical(entry: NewAuditEntry, detailJson: string): string {
  return JSON.stringify([
    entry.at,
    entry.action,
    entry.actorId,
    entry.actorName,
    entry.role,
    entry.residentId,
    entry.districtCode,
    entry.targetKind,
    entry.targetId,
    entry.purpose,
    entry.address,
    detailJson,
  ]);
}

export function chainHash(prevHash: string, entry: NewAuditEntry, detailJson: string = JSON.stringify(entry.detail)): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonical(entry, detailJson)).digest('hex');
}

export interface ChainedEntry extends NewAuditEntry {
  readonly id: number;
  readonly prevHash: string;
  readonly hash: string;
  /** The detail as stored, hashed as is (re-serialising could reorder keys). */
  readonly detailJson: string;
}

/** The answer of `GET /api/audit/verify`: how many entries were checked, and the first that breaks the chain. */
export const chainVerdictSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), checked: z.number().int().nonnegative() }),
  z.object({ ok: z.literal(false), checked: z.number().int().nonnegative(), brokenAt: z.number().int().positive(), reason: z.enum(['hash_mismatch', 'link_mismatch']) }),
]);
export type ChainVerdict = z.infer<typeof chainVerdictSchema>;

/** Checks entries in ascending id order, from the oldest retained one. */
export function verifyChain(entries: Iterable<ChainedEntry>): ChainVerdict {
  let previous: ChainedEntry | undefined;
  let checked = 0;
  for (const entry of entries) {
    if (previous !== undefined && entry.prevHash !== previous.hash) return { ok: false, checked, brokenAt: entry.id, reason: 'link_mismatch' };
    if (chainHash(entry.prevHash, entry, entry.detailJson) !== entry.hash) return { ok: false, checked, brokenAt: entry.id, reason: 'hash_mismatch' };
    previous = entry;
    checked += 1;
  }
  return { ok: true, checked };
}
