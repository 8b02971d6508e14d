import { afterEach, describe, expect, it } from '@jest/globals';
import { makeVirtualFleet, VIRTUAL_START } from '../testing/virtual-fleet.js';
import type { SimEngine } from './sim-engine.js';

describe('SimEngine wall clock', () => {
  let engine: SimEngine | undefined;
  afterEach(() => engine?.shutdown());

  // An accelerated run holds simulated time still while the platform catches
  // up (test/e2e SimulatedTime). If the radios' publish pacing ran on that held
  // clock, devices out of publish tokens would wait for a clock that waits for
  // them: the run would stall for good.
  it('keeps uploading a paced backlog while the simulated clock is held', async () => {
    // The virtual fleet's simulated clock runs on a real clock frozen at the start: held for good.
    const fleet = makeVirtualFleet({ homes: 1, extra: { maxPublishPerS: 20, wall: { now: () => Date.now() } } });
    engine = fleet.engine;
    // An hour of readings at once: far more than the burst allowance of 80 publishes.
    fleet.engine.runUntil(VIRTUAL_START + 3_600_000);
    const backlog = fleet.engine.pending;
    expect(backlog).toBeGreaterThan(0);

    fleet.engine.start();
    const until = Date.now() + 3_000;
    while (fleet.engine.pending > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));

    // Batches at 20 publishes per second per device, in wall time: the backlog is gone.
    expect({ backlog, pending: fleet.engine.pending }).toEqual({ backlog, pending: 0 });
  });
});
