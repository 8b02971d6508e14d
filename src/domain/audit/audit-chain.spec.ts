import { describe, expect, it } from '@jest/globals';
import { makeNewAuditEntry } from './audit.test-factory.js';
import type { NewAuditEntry } from './audit-entry.schema.js';
import { chainHash, GENESIS_HASH, verifyChain, type ChainedEntry } from './audit-chain.js';

const makeEntry = makeNewAuditEntry;

/** Chains `entries` as the repository would. */
function makeChain(entries: NewAuditEntry[], start = GENESIS_HASH): ChainedEntry[] {
  let prevHash = start;
  return entries.map((entry, i) => {
    const detailJson = JSON.stringify(entry.detail);
    const hash = chainHash(prevHash, entry, detailJson);
    const chained = { ...entry, id: i + 1, prevHash, hash, detailJson };
    prevHash = hash;
    return chained;
  });
}

const three = () => makeChain([makeEntry(), makeEntry({ action: 'resident.vitals.read', at: Date.UTC(2026, 2, 3) }), makeEntry({ actorName: 'minzu.dispatcher' })]);

describe('the audit hash chain', () => {
  it('verifies an untouched chain', () => {
    expect(verifyChain(three())).toEqual({ ok: true, checked: 3 });
  });

  it('verifies a chain whose oldest entries were pruned, from the first retained one', () => {
    expect(verifyChain(three().slice(1))).toEqual({ ok: true, checked: 2 });
  });

  it.each<[string, (chain: ChainedEntry[]) => ChainedEntry[], number, string]>([
    ['a changed actor', (c) => c.map((e) => (e.id === 2 ? { ...e, actorName: 'someone.else' } : e)), 2, 'hash_mismatch'],
    ['a changed detail', (c) => c.map((e) => (e.id === 3 ? { ...e, detailJson: '{"rows":0}' } : e)), 3, 'hash_mismatch'],
    ['a removed entry in the middle', (c) => c.filter((e) => e.id !== 2), 3, 'link_mismatch'],
    ['a re-hashed forged entry', (c) => c.map((e) => (e.id === 2 ? { ...e, actorName: 'x', hash: chainHash(e.prevHash, { ...e, actorName: 'x' }, e.detailJson) } : e)), 3, 'link_mismatch'],
  ])('finds %s', (_name, tamper, brokenAt, reason) => {
    expect(verifyChain(tamper(three()))).toMatchObject({ ok: false, brokenAt, reason });
  });
});
