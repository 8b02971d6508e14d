import { describe, expect, it } from '@jest/globals';
import { hashNormal, hashUniform } from './prng.js';

describe('stateless noise', () => {
  it('hashNormal mixes its common prefix once and still equals Box–Muller over hashUniform(…, 1) and (…, 2)', () => {
    for (const parts of [[1], [42, 7], [0xdeadbeef, 1_773_532_800, 12], [-5, 2 ** 40, 3]]) {
      const u = Math.max(hashUniform(...parts, 1), 1e-12);
      const v = hashUniform(...parts, 2);
      expect(hashNormal(...parts)).toBe(Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
    }
  });
});
