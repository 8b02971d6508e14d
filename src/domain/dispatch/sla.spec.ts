import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DEFAULT_SLA, DispatchEngine, dueActions, type DispatchAction, type EngineResult } from './sla.js';
import { MIN, SEC, T0, makeCandidate, makeOrderInput, staffOf } from './dispatch.test-factory.js';
import type { Priority } from '../alerts/alert.schema.js';
import type { WorkOrderSnapshot } from './work-order.schema.js';

const engine = new DispatchEngine();
const A = staffOf('prov-a');
const B = staffOf('prov-b');

/** Actions as short strings: `offer prov-b #2 (accept_timeout)`. */
const describeAction = (a: DispatchAction): string => {
  switch (a.type) {
    case 'offer_next_candidate':
      return `offer ${a.candidate.providerId} #${a.attempt} (${a.cause})`;
    case 'withdraw_offer':
      return `withdraw ${a.providerId} #${a.attempt} (${a.cause})`;
    case 'redispatch':
      return `redispatch from ${a.providerId}`;
    case 'escalate_to_duty_officer':
      return `escalate (${a.reason})`;
    case 'notify_family':
      return `notify family (${a.reason})`;
  }
};

type Step = { at: number } & (
  | { do: 'tick' }
  | { do: 'accept' | 'decline'; attempt: number; by: ReturnType<typeof staffOf> }
  | { do: 'en_route' | 'on_site'; by: ReturnType<typeof staffOf> }
  | { do: 'alert_cleared' }
);

function run(priority: Priority, steps: readonly Step[], candidates = 2): { order: WorkOrderSnapshot; log: string[] } {
  const input = makeOrderInput({ priority, candidates: ['prov-a', 'prov-b', 'prov-c'].slice(0, candidates).map((providerId) => makeCandidate({ providerId })) });
  let r: EngineResult = engine.open(input);
  const log = r.actions.map((a) => `@0 ${describeAction(a)}`);
  for (const s of steps) {
    const t = `@${(s.at - T0) / SEC}`;
    if (s.do === 'tick') {
      const { changed, actions } = engine.tick([r.order], s.at);
      r = { order: changed[0] ?? r.order, actions };
    } else if (s.do === 'accept') r = engine.accept(r.order, s.attempt, s.by, s.at);
    else if (s.do === 'decline') r = engine.decline(r.order, s.attempt, s.by, '人员不足', s.at);
    else if (s.do === 'en_route') r = engine.enRoute(r.order, s.by, s.at);
    else if (s.do === 'on_site') r = engine.onSite(r.order, s.by, s.at);
    else r = engine.alertCleared(r.order, { kind: 'system' }, s.at);
    log.push(...r.actions.map((a) => `${t} ${describeAction(a)}`));
  }
  return { order: r.order, log };
}

const tick = (at: number): Step => ({ at, do: 'tick' });

describe('DispatchEngine scenarios', () => {
  it.each<{ name: string; priority: Priority; candidates?: number; steps: Step[]; log: string[]; state: string }>([
    {
      name: 'a P1 fall offer not accepted in 60 s moves to the next candidate, then to the duty officer, and the family is notified',
      priority: 'P1',
      steps: [tick(T0 + 59 * SEC), tick(T0 + 60 * SEC), tick(T0 + 119 * SEC), tick(T0 + 120 * SEC), tick(T0 + 10 * MIN)],
      log: [
        '@0 offer prov-a #1 (opened)',
        '@60 withdraw prov-a #1 (accept_timeout)',
        '@60 offer prov-b #2 (accept_timeout)',
        '@120 withdraw prov-b #2 (accept_timeout)',
        '@120 escalate (candidates_exhausted)',
        '@120 notify family (candidates_exhausted)',
      ],
      state: 'escalated',
    },
    {
      name: 'a P2 offer escalates without notifying the family',
      priority: 'P2',
      candidates: 1,
      steps: [tick(T0 + 4 * MIN), tick(T0 + 5 * MIN)],
      log: ['@0 offer prov-a #1 (opened)', '@300 withdraw prov-a #1 (accept_timeout)', '@300 escalate (candidates_exhausted)'],
      state: 'escalated',
    },
    {
      name: 'a decline moves to the next candidate at once, and its acceptance ends the search',
      priority: 'P1',
      steps: [{ at: T0 + 10 * SEC, do: 'decline', attempt: 1, by: A }, { at: T0 + 30 * SEC, do: 'accept', attempt: 2, by: B }, tick(T0 + 20 * MIN)],
      log: ['@0 offer prov-a #1 (opened)', '@10 offer prov-b #2 (declined)'],
      state: 'accepted',
    },
    {
      name: 'nobody on site 30 min after acceptance re-dispatches to the next candidate',
      priority: 'P1',
      steps: [{ at: T0 + 20 * SEC, do: 'accept', attempt: 1, by: A }, { at: T0 + 1 * MIN, do: 'en_route', by: A }, tick(T0 + 20 * SEC + 30 * MIN - 1), tick(T0 + 20 * SEC + 30 * MIN)],
      log: ['@0 offer prov-a #1 (opened)', '@1820 redispatch from prov-a', '@1820 withdraw prov-a #1 (redispatch)', '@1820 offer prov-b #2 (redispatch)'],
      state: 'offered',
    },
    {
      name: 'arrival before the 30-min mark stops the re-dispatch timer',
      priority: 'P1',
      steps: [{ at: T0 + 20 * SEC, do: 'accept', attempt: 1, by: A }, { at: T0 + 12 * MIN, do: 'on_site', by: A }, tick(T0 + 2 * 60 * MIN)],
      log: ['@0 offer prov-a #1 (opened)'],
      state: 'on_site',
    },
    {
      name: 'a fall cleared before acceptance cancels the order and withdraws the offer',
      priority: 'P1',
      steps: [{ at: T0 + 20 * SEC, do: 'alert_cleared' }, tick(T0 + 5 * MIN)],
      log: ['@0 offer prov-a #1 (opened)', '@20 withdraw prov-a #1 (cancelled)'],
      state: 'cancelled',
    },
    {
      name: 'an alert cleared after acceptance leaves the responder going',
      priority: 'P1',
      steps: [{ at: T0 + 20 * SEC, do: 'accept', attempt: 1, by: A }, { at: T0 + 30 * SEC, do: 'alert_cleared' }],
      log: ['@0 offer prov-a #1 (opened)'],
      state: 'accepted',
    },
    {
      name: 'a P3 low-battery task waits 30 min for acceptance',
      priority: 'P3',
      candidates: 1,
      steps: [tick(T0 + 29 * MIN), { at: T0 + 29 * MIN + 59 * SEC, do: 'accept', attempt: 1, by: A }, tick(T0 + 31 * MIN)],
      log: ['@0 offer prov-a #1 (opened)'],
      state: 'accepted',
    },
  ])('$name', ({ priority, candidates, steps, log, state }) => {
    const r = run(priority, steps, candidates);
    expect(r.log).toEqual(log);
    expect(r.order.state).toBe(state);
  });

  it('escalates a coverage gap at once and notifies the family for P1', () => {
    const r = engine.open(makeOrderInput({ candidates: [] }));
    expect(r.actions.map(describeAction)).toEqual(['escalate (coverage_gap)', 'notify family (coverage_gap)']);
    expect(r.order.familyNotifiedAt).toBe(T0);
  });

  it('fires a timer on time after a restart: state comes only from the stored snapshot', () => {
    const { order } = engine.open(makeOrderInput());
    const stored = JSON.stringify(order);
    const restarted = new DispatchEngine();
    const reloaded = [JSON.parse(stored) as WorkOrderSnapshot];
    expect(restarted.nextDeadline(reloaded)).toBe(T0 + 60 * SEC);
    expect(restarted.tick(reloaded, T0 + 59_999).actions).toEqual([]);
    expect(restarted.tick(reloaded, T0 + 60 * SEC).actions.map(describeAction)).toEqual(['withdraw prov-a #1 (accept_timeout)', 'offer prov-b #2 (accept_timeout)']);
  });

  it('continues from a resting declined state left by a crash between two steps', () => {
    const { order } = engine.open(makeOrderInput());
    const crashed: WorkOrderSnapshot = {
      ...order,
      state: 'declined',
      attempts: order.attempts.map((a) => ({ ...a, outcome: 'declined', endedAt: T0 + SEC })),
      deadlines: { ...order.deadlines, acceptBy: null },
    };
    expect(dueActions(crashed, T0 + 2 * SEC).map(describeAction)).toEqual(['offer prov-b #2 (declined)']);
  });

  it('does not change the snapshot it was given', () => {
    const { order } = engine.open(makeOrderInput());
    const before = structuredClone(order);
    engine.tick([order], T0 + 5 * MIN);
    dueActions(order, T0 + 5 * MIN);
    expect(order).toEqual(before);
  });

  it('uses configured SLA times', () => {
    const fast = new DispatchEngine({ ...DEFAULT_SLA, P1: { acceptMs: 5 * SEC, onSiteMs: 10 * MIN, redispatchAfterMs: null } });
    const { order } = fast.open(makeOrderInput());
    expect(order.deadlines).toEqual({ acceptBy: T0 + 5 * SEC, onSiteBy: T0 + 10 * MIN, redispatchAt: null });
  });
});

describe('DispatchEngine invariants', () => {
  type Cmd = { dt: number; kind: 'tick' | 'accept' | 'decline' | 'en_route' | 'on_site' | 'clear' | 'ack'; who: number; attempt: number };
  const cmd = fc.record({
    dt: fc.integer({ min: 0, max: 20 * 60_000 }),
    kind: fc.constantFrom<Cmd['kind']>('tick', 'accept', 'decline', 'en_route', 'on_site', 'clear', 'ack'),
    who: fc.integer({ min: 0, max: 3 }),
    attempt: fc.integer({ min: 1, max: 4 }),
  });
  const providers = ['prov-a', 'prov-b', 'prov-c', 'prov-d'];

  it('never leaves an order with two live offers, and every transition is recorded in time order', () => {
    fc.assert(
      fc.property(fc.constantFrom<Priority>('P1', 'P2', 'P3'), fc.integer({ min: 0, max: 4 }), fc.array(cmd, { maxLength: 40 }), (priority, n, cmds) => {
        let order = engine.open(makeOrderInput({ priority, candidates: providers.slice(0, n).map((providerId) => makeCandidate({ providerId })) })).order;
        let now = T0;
        for (const c of cmds) {
          now += c.dt;
          const by = staffOf(providers[c.who] ?? 'prov-a');
          try {
            if (c.kind === 'tick') order = engine.tick([order], now).changed[0] ?? order;
            else if (c.kind === 'accept') order = engine.accept(order, c.attempt, by, now).order;
            else if (c.kind === 'decline') order = engine.decline(order, c.attempt, by, '忙', now).order;
            else if (c.kind === 'en_route') order = engine.enRoute(order, by, now).order;
            else if (c.kind === 'on_site') order = engine.onSite(order, by, now).order;
            else if (c.kind === 'ack') order = engine.acknowledge(order, c.attempt, by.providerId, now).order;
            else order = engine.alertCleared(order, { kind: 'system' }, now).order;
          } catch (e) {
            if (!(e instanceof Error) || e.name !== 'WorkOrderError') throw e;
          }
          const live = order.attempts.filter((a) => a.outcome === 'pending');
          expect(live.length).toBeLessThanOrEqual(1);
          expect(live.length === 1).toBe(order.state === 'offered');
          expect(new Set(order.attempts.map((a) => a.candidate.providerId)).size).toBe(order.attempts.length);
          const times = order.transitions.map((t) => t.at);
          expect(times).toEqual([...times].sort((a, b) => a - b));
          expect(order.transitions.at(-1)?.to).toBe(order.state);
        }
      }),
      { numRuns: 300 },
    );
  });
});
