import { describe, expect, it } from '@jest/globals';
import type { Alert } from '../alerts/alert.schema.js';
import { isAwaitingConfirmation, nextPendingNotice, type PendingAlertStatus } from './pending-alert.js';
import { SEC, T0 } from './dispatch.test-factory.js';

type Facts = Pick<Alert, 'state' | 'awaitingConfirmationUntil' | 'heldForCatchUp' | 'downgraded'>;

/** A fall's alert at the points of its life that matter here. */
const fall: Record<string, Facts> = {
  'seen by one device, in its cancel window': { state: 'active', awaitingConfirmationUntil: T0 + 30 * SEC, heldForCatchUp: false, downgraded: false },
  'confirmed (window over, second device or SOS)': { state: 'active', awaitingConfirmationUntil: null, heldForCatchUp: false, downgraded: false },
  'self-recovered inside the window (downgraded)': { state: 'active', awaitingConfirmationUntil: null, heldForCatchUp: false, downgraded: true },
  'cleared by a person': { state: 'cleared', awaitingConfirmationUntil: null, heldForCatchUp: false, downgraded: false },
  'cleared by a person while still in its window': { state: 'cleared', awaitingConfirmationUntil: T0 + 30 * SEC, heldForCatchUp: false, downgraded: false },
  'in its window, but raised from a backlog being uploaded': { state: 'active', awaitingConfirmationUntil: T0 + 30 * SEC, heldForCatchUp: true, downgraded: false },
};

describe('nextPendingNotice: what the console that would be offered a fall hears while it waits for confirmation', () => {
  it.each<[string, boolean, PendingAlertStatus | null]>([
    // Nothing announced yet.
    ['seen by one device, in its cancel window', false, 'awaiting_confirmation'],
    ['confirmed (window over, second device or SOS)', false, null],
    ['self-recovered inside the window (downgraded)', false, null],
    ['cleared by a person', false, null],
    ['in its window, but raised from a backlog being uploaded', false, null],
    // Announced as 待确认: how the wait ended, once.
    ['seen by one device, in its cancel window', true, null],
    ['confirmed (window over, second device or SOS)', true, 'confirmed'],
    ['self-recovered inside the window (downgraded)', true, 'self_recovered'],
    ['cleared by a person', true, 'cleared'],
    ['cleared by a person while still in its window', true, 'cleared'],
  ])('%s, announced before: %s → %s', (state, announced, expected) => {
    const alert = fall[state];
    expect(alert).toBeDefined();
    expect(nextPendingNotice(alert!, announced)).toBe(expected);
  });

  it('announces a fall again when a new fall re-opens one the resident had waved off', () => {
    // The first wait ended (self-recovered), so nothing is announced any more…
    const wavedOff = fall['self-recovered inside the window (downgraded)']!;
    expect(nextPendingNotice(wavedOff, false)).toBeNull();
    // …until a new fall on it waits for confirmation again, as the first did.
    expect(nextPendingNotice({ ...wavedOff, downgraded: false, awaitingConfirmationUntil: T0 + 90 * SEC }, false)).toBe('awaiting_confirmation');
  });
});

describe('isAwaitingConfirmation', () => {
  it.each<[string, boolean]>([
    ['seen by one device, in its cancel window', true],
    ['confirmed (window over, second device or SOS)', false],
    ['cleared by a person while still in its window', false],
    ['in its window, but raised from a backlog being uploaded', false],
  ])('%s: %s', (state, expected) => {
    expect(isAwaitingConfirmation(fall[state]!)).toBe(expected);
  });
});
