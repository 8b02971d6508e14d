import { describe, expect, it } from '@jest/globals';
import { decideOrigin } from './origin-policy.js';

describe('which web origins may open a console socket', () => {
  it.each<[string, string | undefined, string | undefined, readonly string[], string]>([
    ['the platform’s own pages', 'http://127.0.0.1:8080', '127.0.0.1:8080', [], 'allowed'],
    ['a client that is not a browser (no Origin)', undefined, '127.0.0.1:8080', [], 'allowed'],
    ['a foreign page', 'http://evil.example', '127.0.0.1:8080', [], 'foreign_origin'],
    ['the same host on another port', 'http://127.0.0.1:9999', '127.0.0.1:8080', [], 'foreign_origin'],
    ['a configured origin', 'https://console.city.gov.cn', 'anxin.internal:8080', ['https://console.city.gov.cn'], 'allowed cross-origin'],
    ['a configured origin’s scheme matters', 'http://console.city.gov.cn', 'anxin.internal:8080', ['https://console.city.gov.cn'], 'foreign_origin'],
    ['the literal "null" origin of a sandboxed frame', 'null', '127.0.0.1:8080', [], 'malformed_origin'],
  ])('%s', (_name, origin, host, allowed, expected) => {
    const decision = decideOrigin(origin, host, allowed);
    expect(decision.allowed ? (decision.crossOrigin ? 'allowed cross-origin' : 'allowed') : decision.reason).toBe(expected);
  });
});
