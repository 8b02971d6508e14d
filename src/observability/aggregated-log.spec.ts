import { AggregatedLog, type AggregatedLogTarget } from './aggregated-log.js';

class Lines implements AggregatedLogTarget {
  readonly lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  info(fields: object, message: string): void {
    this.lines.push({ level: 'info', fields: fields as Record<string, unknown>, message });
  }
  warn(fields: object, message: string): void {
    this.lines.push({ level: 'warn', fields: fields as Record<string, unknown>, message });
  }
}

describe('AggregatedLog', () => {
  it('writes one line per key with its count, the first context and the interval, and nothing for a quiet interval', () => {
    const target = new Lines();
    let t = 1_000;
    const log = new AggregatedLog(target, { message: 'mqtt refused', keyField: 'reason', intervalMs: 3_600_000, now: () => t });
    log.record('bad_credentials', { address: '10.0.0.1' });
    t = 2_000;
    log.record('bad_credentials', { address: '10.0.0.2' });
    log.flush();
    log.flush();
    log.close();
    expect(target.lines).toEqual([
      { level: 'warn', fields: { address: '10.0.0.1', reason: 'bad_credentials', count: 2, firstAt: 1_000, lastAt: 2_000, intervalMs: 3_600_000 }, message: 'mqtt refused' },
    ]);
  });

  it('writes what is pending on close, at the configured level', () => {
    const target = new Lines();
    const log = new AggregatedLog(target, { message: 'mqtt connection closed on error', keyField: 'err', intervalMs: 3_600_000, level: 'info', now: () => 0 });
    log.record('Invalid protocolId');
    log.close();
    expect(target.lines.map((l) => [l.level, l.fields.err, l.fields.count])).toEqual([['info', 'Invalid protocolId', 1]]);
  });
});
