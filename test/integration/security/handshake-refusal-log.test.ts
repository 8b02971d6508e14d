/**
 * Refused socket.io handshakes are logged aggregated: anyone can send them,
 * so 50 foreign-origin handshakes write one line with a count, not 50.
 */
import { describe, expect, it } from '@jest/globals';
import { io } from 'socket.io-client';
import { DISPATCH_NAMESPACE, DISTRICT_NAMESPACE } from '../../../src/contracts/dispatch.contracts.js';
import type { Logger } from '../../../src/observability/logger.js';
import { startTestPlatform } from '../../support/test-platform.js';

interface Line {
  readonly fields: Record<string, unknown>;
  readonly message: string | undefined;
}

function recordingLogger(lines: Line[]): Logger {
  const record = (fields: object, message?: string): void => {
    lines.push({ fields: fields as Record<string, unknown>, message });
  };
  const logger: Logger = { debug: record, info: record, warn: record, error: record, child: () => logger };
  return logger;
}

/** Resolves once the handshake is refused (or, unexpectedly, connects). */
function foreignHandshake(url: string): Promise<void> {
  const socket = io(url, { auth: { token: 'x' }, transports: ['websocket'], reconnection: false, extraHeaders: { origin: 'http://evil.example' } });
  return new Promise((resolve) => {
    const done = (): void => {
      socket.close();
      resolve();
    };
    socket.on('connect', done);
    socket.on('connect_error', done);
  });
}

describe('socket.io handshake refusals', () => {
  it('50 foreign-origin handshakes on both namespaces write one line per reason with the count', async () => {
    const lines: Line[] = [];
    const platform = await startTestPlatform({ logger: recordingLogger(lines), config: { refusalLogIntervalMs: 3_600_000 } });
    try {
      for (let i = 0; i < 50; i += 1) await foreignHandshake(`${platform.httpUrl}${i % 2 === 0 ? DISPATCH_NAMESPACE : DISTRICT_NAMESPACE}`);
    } finally {
      await platform.dispose(); // flushes what is pending
    }
    const refused = lines.filter((l) => l.message === 'socket.io handshake refused');
    expect(refused.map((l) => [l.fields.count, l.fields.origin])).toEqual([[50, 'http://evil.example']]);
  });
});
