import { LogAggregation } from './log-aggregation.js';

describe('LogAggregation', () => {
  it('counts events per key, keeps the first context as the sample and the first and last times', () => {
    const agg = new LogAggregation<{ address: string }>();
    agg.record('bad_credentials', { address: '10.0.0.1' }, 1_000);
    agg.record('login_throttled', { address: '10.0.0.2' }, 1_500);
    agg.record('bad_credentials', { address: '10.0.0.3' }, 2_000);
    expect(agg.drain()).toEqual([
      { key: 'bad_credentials', count: 2, sample: { address: '10.0.0.1' }, firstAt: 1_000, lastAt: 2_000 },
      { key: 'login_throttled', count: 1, sample: { address: '10.0.0.2' }, firstAt: 1_500, lastAt: 1_500 },
    ]);
  });

  it('starts a new interval on drain: nothing is reported twice, an empty interval reports nothing', () => {
    const agg = new LogAggregation<null>();
    agg.record('a', null, 0);
    agg.drain();
    expect([agg.drain(), agg.size]).toEqual([[], 0]);
  });

  it('bounds the keys: 10,000 distinct keys give maxKeys entries and the overflow key, which counts the rest', () => {
    const agg = new LogAggregation<null>(4, 'other');
    for (let i = 0; i < 10_000; i += 1) agg.record(`error ${i}`, null, i);
    const entries = agg.drain();
    expect([entries.length, entries.map((e) => e.key).slice(-1), entries.reduce((n, e) => n + e.count, 0)]).toEqual([5, ['other'], 10_000]);
  });

  it('keeps counting a key seen before the table filled up', () => {
    const agg = new LogAggregation<null>(2, 'other');
    agg.record('a', null, 0);
    agg.record('b', null, 1);
    agg.record('c', null, 2);
    agg.record('a', null, 3);
    expect(agg.drain().map((e) => [e.key, e.count])).toEqual([['a', 2], ['b', 1], ['other', 1]]);
  });
});
