import { describe, expect, it } from '@jest/globals';
import { DEFAULT_SLA } from './sla.js';
import { WorkOrder, WorkOrderError, canTransition, type WorkOrderErrorCode } from './work-order.js';
import { MIN, SEC, T0, makeOrderInput, staffOf } from './dispatch.test-factory.js';
import { WORK_ORDER_STATES } from './work-order.schema.js';

const open = (over: Parameters<typeof makeOrderInput>[0] = {}): WorkOrder => WorkOrder.open({ ...makeOrderInput(over), sla: DEFAULT_SLA.P1 });
const A = staffOf('prov-a');
const B = staffOf('prov-b');

describe('WorkOrder lifecycle', () => {
  it('walks offered → accepted → en_route → on_site → resolved, recording who and when', () => {
    const o = open();
    o.acknowledgeDelivery(1, 'prov-a', T0 + 1 * SEC);
    o.accept(1, A, T0 + 20 * SEC);
    o.markEnRoute(A, T0 + 30 * SEC);
    o.markOnSite(A, T0 + 9 * MIN);
    o.resolve('real_emergency', '老人髋部疼痛，已送医', A, T0 + 40 * MIN);
    const s = o.snapshot();
    expect(s.transitions.map((t) => [t.from, t.to, t.at - T0, t.by.kind])).toEqual([
      [null, 'offered', 0, 'system'],
      ['offered', 'accepted', 20 * SEC, 'staff'],
      ['accepted', 'en_route', 30 * SEC, 'staff'],
      ['en_route', 'on_site', 9 * MIN, 'staff'],
      ['on_site', 'resolved', 40 * MIN, 'staff'],
    ]);
    expect(s.attempts).toEqual([expect.objectContaining({ attempt: 1, outcome: 'completed', deliveredAt: T0 + SEC, staffId: A.staffId })]);
    expect(s).toMatchObject({ outcome: 'real_emergency', firstAcceptedAt: T0 + 20 * SEC, onSiteAt: T0 + 9 * MIN, resolvedAt: T0 + 40 * MIN });
    expect(s.deadlines).toEqual({ acceptBy: null, onSiteBy: null, redispatchAt: null });
  });

  it('sets accept, on-site and redispatch deadlines from the SLA copied onto the order', () => {
    const o = open();
    expect(o.snapshot().deadlines).toEqual({ acceptBy: T0 + 60 * SEC, onSiteBy: T0 + 15 * MIN, redispatchAt: null });
    o.accept(1, A, T0 + 10 * SEC);
    expect(o.snapshot().deadlines).toEqual({ acceptBy: null, onSiteBy: T0 + 15 * MIN, redispatchAt: T0 + 10 * SEC + 30 * MIN });
  });

  it('gives the first provider its whole accept time when the alert waited before it was offered, the on-site clock still running from the raise', () => {
    // A fall confirmed at the end of its 30 s cancel window.
    const o = WorkOrder.open({ ...makeOrderInput(), offeredAt: T0 + 30 * SEC, sla: DEFAULT_SLA.P1 });
    expect(o.snapshot().deadlines).toEqual({ acceptBy: T0 + 30 * SEC + 60 * SEC, onSiteBy: T0 + 15 * MIN, redispatchAt: null });
    expect(o.snapshot()).toMatchObject({ createdAt: T0, attempts: [{ offeredAt: T0 + 30 * SEC }], transitions: [{ to: 'offered', at: T0 + 30 * SEC }] });
  });

  it('makes a new attempt on the same order after a decline', () => {
    const o = open();
    o.decline(1, A, '人员均在外出服务', T0 + 5 * SEC);
    const a2 = o.offerNext(T0 + 5 * SEC);
    expect(a2).toMatchObject({ attempt: 2, acceptBy: T0 + 65 * SEC, outcome: 'pending' });
    expect(a2.candidate.providerId).toBe('prov-b');
    expect(o.snapshot().attempts[0]).toMatchObject({ outcome: 'declined', declineReason: '人员均在外出服务' });
  });

  it('escalates at once as a coverage gap when there is no candidate', () => {
    const s = open({ candidates: [] }).snapshot();
    expect(s).toMatchObject({ state: 'escalated', coverageGap: true, escalationReason: 'coverage_gap', attempts: [] });
    expect(s.transitions).toHaveLength(1);
  });

  it('cancels before acceptance and withdraws the live offer', () => {
    const o = open();
    o.cancel({ kind: 'system' }, T0 + 15 * SEC, '老人已取消跌倒告警');
    expect(o.snapshot()).toMatchObject({ state: 'cancelled', attempts: [expect.objectContaining({ outcome: 'withdrawn' })] });
  });

  it('survives a JSON round trip of its snapshot', () => {
    const o = open();
    o.accept(1, A, T0 + 20 * SEC);
    const stored = JSON.parse(JSON.stringify(o.snapshot())) as unknown;
    expect(WorkOrder.restore(stored).snapshot()).toEqual(o.snapshot());
    expect(() => WorkOrder.restore({ ...o.snapshot(), state: 'lost' })).toThrow();
  });

  it('hands out copies: mutating a snapshot does not change the order', () => {
    const o = open();
    o.snapshot().attempts.pop();
    expect(o.snapshot().attempts).toHaveLength(1);
  });

  const illegal: [string, (o: WorkOrder) => void, WorkOrderErrorCode][] = [
    ['accept a stale attempt', (o) => { o.decline(1, A, 'x', T0); o.offerNext(T0); o.accept(1, A, T0); }, 'stale_attempt'],
    ['accept an offer made to another provider', (o) => o.accept(1, B, T0), 'wrong_provider'],
    ['accept twice', (o) => { o.accept(1, A, T0); o.accept(1, A, T0); }, 'illegal_transition'],
    ['decline after accepting', (o) => { o.accept(1, A, T0); o.decline(1, A, 'x', T0); }, 'illegal_transition'],
    ['go on site before accepting', (o) => o.markOnSite(A, T0), 'illegal_transition'],
    ['resolve before on site', (o) => { o.accept(1, A, T0); o.resolve('test', '', A, T0); }, 'illegal_transition'],
    ['go en route for another provider', (o) => { o.accept(1, A, T0); o.markEnRoute(B, T0); }, 'wrong_provider'],
    ['cancel after acceptance', (o) => { o.accept(1, A, T0); o.cancel({ kind: 'system' }, T0); }, 'illegal_transition'],
    ['offer past the last candidate', (o) => { o.decline(1, A, 'x', T0); o.offerNext(T0); o.decline(2, B, 'x', T0); o.offerNext(T0); }, 'no_candidate'],
    ['offer while an offer is live', (o) => o.offerNext(T0), 'illegal_transition'],
    ['time out an accepted offer', (o) => { o.accept(1, A, T0); o.timeOutOffer(T0); }, 'illegal_transition'],
    ['change a resolved order', (o) => { o.accept(1, A, T0); o.markOnSite(A, T0); o.resolve('test', '', A, T0); o.escalate('manual', { kind: 'system' }, T0); }, 'illegal_transition'],
  ];
  it.each(illegal)('refuses to %s with a typed error', (_name, act, code) => {
    const o = open();
    let caught: unknown;
    try {
      act(o);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(WorkOrderError);
    expect((caught as WorkOrderError).code).toBe(code);
  });

  it('knows no way out of resolved or cancelled', () => {
    for (const to of WORK_ORDER_STATES) {
      expect(canTransition('resolved', to)).toBe(false);
      expect(canTransition('cancelled', to)).toBe(false);
    }
  });
});
