/** Audit entries with overridable defaults (STYLE.md §15): a caregiver reading a resident card. */
import type { AuditEntry, NewAuditEntry } from './audit-entry.schema.js';

export function makeNewAuditEntry(overrides: Partial<NewAuditEntry> = {}): NewAuditEntry {
  return {
    at: Date.UTC(2026, 2, 2),
    action: 'resident.card.read',
    actorId: 'acc-minzu-caregiver1',
    actorName: 'minzu.caregiver1',
    role: 'caregiver',
    residentId: 'res-1',
    districtCode: '420103',
    targetKind: 'order',
    targetId: 'ord-1',
    purpose: 'ord-1',
    address: '127.0.0.1',
    detail: {},
    ...overrides,
  };
}

export function makeAuditEntry(overrides: Partial<AuditEntry> = {}): AuditEntry {
  return { id: 1, ...makeNewAuditEntry(), ...overrides };
}
