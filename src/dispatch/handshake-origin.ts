/**
 * Installs the origin policy on the socket.io server both console
 * namespaces share: engine.io's `allowRequest` refuses a foreign Origin
 * before any namespace or token is looked at (HTTP 403 on the handshake),
 * and a configured cross-origin console gets its CORS headers for long
 * polling. Replaces socket.io's `cors: { origin: true }`, which echoed any
 * Origin.
 */
import type { IncomingMessage } from 'node:http';
import type { Server } from 'socket.io';
import { decideOrigin } from '../web/origin-policy.js';

const installed = new WeakSet<object>();

export function guardHandshakeOrigin(server: Server, allowedOrigins: readonly string[], onRefused: (origin: string, reason: string) => void): void {
  const engine = server.engine as unknown as {
    opts: { allowRequest?: (req: IncomingMessage, callback: (message: string | null, success: boolean) => void) => void };
    on(event: 'headers' | 'initial_headers', listener: (headers: Record<string, string>, req: IncomingMessage) => void): void;
  };
  if (installed.has(engine)) return;
  installed.add(engine);
  const decide = (req: IncomingMessage) => decideOrigin(req.headers.origin, req.headers.host, allowedOrigins);
  engine.opts.allowRequest = (req, callback) => {
    const decision = decide(req);
    if (decision.allowed) return callback(null, true);
    onRefused(req.headers.origin ?? '', decision.reason);
    callback(`origin not allowed: ${decision.reason}`, false);
  };
  const corsHeaders = (headers: Record<string, string>, req: IncomingMessage): void => {
    const decision = decide(req);
    if (decision.allowed && decision.crossOrigin && req.headers.origin !== undefined) {
      headers['Access-Control-Allow-Origin'] = req.headers.origin;
      headers['Vary'] = 'Origin';
    }
  };
  engine.on('initial_headers', corsHeaders);
  engine.on('headers', corsHeaders);
}
