import { describe, expect, it } from '@jest/globals';
import { decideConsoleAlertCommand, type ConsoleAlertRefusal } from './console-alert-policy.js';
import { MIN, SEC, T0, makeOrderInput, staffOf } from './dispatch.test-factory.js';
import { DispatchEngine } from './sla.js';
import type { WorkOrderSnapshot } from './work-order.schema.js';

const engine = new DispatchEngine();
const A = staffOf('prov-a');
const B = staffOf('prov-b');

const open = (): WorkOrderSnapshot => engine.open(makeOrderInput()).order;
const acceptedByA = (): WorkOrderSnapshot => engine.accept(open(), 1, A, T0 + 10 * SEC).order;
const onSiteA = (): WorkOrderSnapshot => engine.onSite(engine.enRoute(acceptedByA(), A, T0 + MIN).order, A, T0 + 8 * MIN).order;
const declinedByA = (): WorkOrderSnapshot => engine.decline(open(), 1, A, '人员不足', T0 + 10 * SEC).order;

/** Work orders as the engine leaves them: a fresh fall order offered to A first, then to B. */
const orders: Record<string, () => WorkOrderSnapshot> = {
  'offered to A': open,
  'accepted by A': acceptedByA,
  'A on site': onSiteA,
  'resolved by A': () => engine.resolve(onSiteA(), 'real_emergency', '', A, T0 + 20 * MIN).order,
  'declined by A, offered to B': declinedByA,
  'declined by A, accepted by B': () => engine.accept(declinedByA(), 2, B, T0 + 20 * SEC).order,
  'withdrawn from A (alert cleared while offered)': () => engine.alertCleared(open(), { kind: 'system' }, T0 + 10 * SEC).order,
  'a meal order without an alert, accepted by A': () => engine.accept(engine.open(makeOrderInput({ alertId: null, reason: 'missed_meal', priority: 'P3' })).order, 1, A, T0 + 10 * SEC).order,
};

describe('decideConsoleAlertCommand: only the provider holding the order acts on its alert', () => {
  it.each<[string, string | null, 'allowed' | ConsoleAlertRefusal]>([
    ['offered to A', 'prov-a', 'not_accepted'],
    ['offered to A', 'prov-b', 'not_your_order'],
    ['accepted by A', 'prov-a', 'allowed'],
    ['accepted by A', 'prov-b', 'not_your_order'],
    ['accepted by A', null, 'not_your_order'],
    ['A on site', 'prov-a', 'allowed'],
    ['resolved by A', 'prov-a', 'allowed'],
    ['resolved by A', 'prov-b', 'not_your_order'],
    ['declined by A, offered to B', 'prov-a', 'not_your_order'],
    ['declined by A, offered to B', 'prov-b', 'not_accepted'],
    ['declined by A, accepted by B', 'prov-b', 'allowed'],
    ['declined by A, accepted by B', 'prov-a', 'not_your_order'],
    ['withdrawn from A (alert cleared while offered)', 'prov-a', 'not_your_order'],
    ['a meal order without an alert, accepted by A', 'prov-a', 'no_alert'],
    ['a meal order without an alert, accepted by A', 'prov-b', 'not_your_order'],
  ])('%s, asked by %s: %s', (order, providerId, expected) => {
    const snapshot = orders[order]?.();
    expect(snapshot).toBeDefined();
    expect(decideConsoleAlertCommand(providerId, snapshot!)).toEqual(expected === 'allowed' ? { allowed: true, alertId: 'al-1' } : { allowed: false, reason: expected });
  });
});
