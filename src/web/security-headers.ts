/**
 * HTTP response headers for every answer of the platform (web apps and
 * API), with helmet, the Express community's standard for them.
 *
 * The Content-Security-Policy is what the built apps satisfy: their scripts
 * are bundled same-origin modules (no inline script, no eval), the socket
 * connects back to the same origin, icons may be `data:` URLs. Styles are
 * same-origin files too: Vue and ECharts set styles through the CSSOM, which
 * CSP does not restrict, so no 'unsafe-inline' is needed anywhere (the apps
 * e2e test fails on any violation Chromium reports). `frame-ancestors 'none'` (and X-Frame-Options: DENY for older
 * browsers) stops the console being framed for click-jacking.
 * `upgrade-insecure-requests` is left out: a district may serve the platform
 * over plain HTTP on its own network, and upgrading would break every asset.
 */
import helmet from 'helmet';

export function securityHeaders(): ReturnType<typeof helmet> {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    // Tokens travel in Authorization headers, never in a Referer.
    referrerPolicy: { policy: 'no-referrer' },
  });
}
