import { describe, expect, it } from '@jest/globals';
import { AUDIT_RETENTION_FLOOR_DAYS, retentionCutoff } from './audit-retention.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2027, 0, 1);

describe('retentionCutoff', () => {
  it('keeps entries of the last retentionDays', () => {
    expect(retentionCutoff(NOW, 365)).toBe(NOW - 365 * DAY);
  });

  it('never goes below the six-month floor of the Cybersecurity Law, whatever is asked', () => {
    expect(retentionCutoff(NOW, 7)).toBe(NOW - AUDIT_RETENTION_FLOOR_DAYS * DAY);
  });
});
