import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../config/load-config.js';

describe('loadConfig: the audit section', () => {
  it('keeps audit entries a year by default, pruning hourly', () => {
    expect(loadConfig({}).audit).toEqual({ retentionDays: 365, pruneIntervalMinutes: 60 });
  });

  it('takes the retention from ANXIN_AUDIT_RETENTION_DAYS', () => {
    expect(loadConfig({ ANXIN_AUDIT_RETENTION_DAYS: '2190' }).audit.retentionDays).toBe(2190);
  });

  it.each(['90', '179', '365.5', 'forever'])('refuses %s days, naming the variable and the six-month floor', (value) => {
    expect(() => loadConfig({ ANXIN_AUDIT_RETENTION_DAYS: value })).toThrow(ConfigError);
    expect(() => loadConfig({ ANXIN_AUDIT_RETENTION_DAYS: value })).toThrow(/audit\.retentionDays \(ANXIN_AUDIT_RETENTION_DAYS\): .*at least 180/);
  });
});
