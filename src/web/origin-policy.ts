/**
 * Which web origins may open a socket.io console. Browsers do not apply CORS
 * to WebSocket, so without this check any page a dispatcher visits could
 * open the console's socket with a token it stole or was handed (cross-site
 * WebSocket hijacking); the Origin header is what the browser guarantees.
 * Pure: the socket.io edge asks it at the handshake.
 *
 * - No Origin header: not a browser (a CLI, a test client, a device), which
 *   must authenticate with a token anyway: allowed.
 * - The platform's own origin (Origin's host equals the Host header): allowed.
 * - An origin configured in `http.allowedOrigins`: allowed.
 * - Anything else, and a malformed Origin: refused.
 *
 * @example
 * decideOrigin('http://evil.example', 'anxin.city.gov.cn', []) // { allowed: false, reason: 'foreign_origin' }
 */
export type OriginDecision = { readonly allowed: true; readonly crossOrigin: boolean } | { readonly allowed: false; readonly reason: 'foreign_origin' | 'malformed_origin' };

export function decideOrigin(origin: string | undefined, host: string | undefined, allowedOrigins: readonly string[]): OriginDecision {
  if (origin === undefined) return { allowed: true, crossOrigin: false };
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return { allowed: false, reason: 'malformed_origin' };
  }
  if (host !== undefined && parsed.host.toLowerCase() === host.toLowerCase()) return { allowed: true, crossOrigin: false };
  return allowedOrigins.includes(parsed.origin) ? { allowed: true, crossOrigin: true } : { allowed: false, reason: 'foreign_origin' };
}
