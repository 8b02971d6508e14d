/**
 * Serves the built web apps (apps/dispatch-console → /console,
 * apps/district-screen → /screen) from their Vite `dist` folders: hashed
 * assets cached for a year, index.html never cached, unknown paths under an
 * app fall back to its index.html (client-side routes). Everything the pages
 * need is bundled, so the platform origin is the only one they talk to.
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface WebApp {
  /** URL prefix, e.g. `/console`. */
  readonly mount: string;
  /** Folder under apps/, e.g. `dispatch-console`. */
  readonly folder: string;
}

export const WEB_APPS: readonly WebApp[] = [
  { mount: '/console', folder: 'dispatch-console' },
  { mount: '/screen', folder: 'district-screen' },
];

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

/** The repository root: the nearest ancestor of this file holding apps/ (works from src/ and from dist/src/). */
export function findAppsRoot(start: string = dirname(fileURLToPath(import.meta.url))): string | undefined {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'apps', 'dispatch-console'))) return join(dir, 'apps');
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

interface Req {
  readonly method: string;
  readonly path: string;
}
interface Res {
  status(code: number): Res;
  setHeader(name: string, value: string): void;
  end(body?: Buffer | string): void;
}

/** Resolves a request path under `root`, or undefined when it escapes it. */
function resolveInside(root: string, relative: string): string | undefined {
  const full = normalize(join(root, decodeURIComponent(relative)));
  return full === root || full.startsWith(root + sep) ? full : undefined;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** An express-compatible handler for one app's dist folder. */
export function createStaticHandler(distDir: string): (req: Req, res: Res, next: () => void) => void {
  const send = async (req: Req, res: Res, next: () => void): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const relative = req.path === '' || req.path === '/' ? '/index.html' : req.path;
    let file = resolveInside(distDir, relative);
    if (file === undefined) {
      res.status(404).end();
      return;
    }
    if (!(await isFile(file))) {
      // Missing assets are 404s; anything else is a client-side route.
      if (relative.startsWith('/assets/') || extname(relative) !== '') {
        res.status(404).end();
        return;
      }
      file = join(distDir, 'index.html');
      if (!(await isFile(file))) {
        res.status(503).setHeader('content-type', 'text/plain; charset=utf-8');
        res.end('app not built: run npm run build:apps');
        return;
      }
    }
    const body = await readFile(file);
    res.setHeader('content-type', CONTENT_TYPES[extname(file)] ?? 'application/octet-stream');
    res.setHeader('cache-control', file.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
    res.setHeader('x-content-type-options', 'nosniff');
    res.status(200).end(req.method === 'HEAD' ? undefined : body);
  };
  return (req, res, next) => {
    send(req, res, next).catch(() => {
      res.status(500).end();
    });
  };
}
