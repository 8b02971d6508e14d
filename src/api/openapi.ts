/**
 * OpenAPI 3.1 generated from the same zod schemas the controllers validate
 * with (zod 4's `z.toJSONSchema` emits JSON Schema 2020-12, which OpenAPI 3.1
 * uses as is). Each controller registers its routes here; nothing is written
 * twice. Every route Nest serves must be registered:
 * test/integration/api/openapi-coverage.test.ts compares the document with
 * the HTTP server's route table.
 */
import { z } from 'zod';
import type { Role } from '../domain/access/principal.js';

export interface RouteDoc {
  readonly method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express-style path, e.g. /api/devices/:id */
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  /** Needs ANXIN_ADMIN_TOKEN (AdminGuard). */
  readonly admin?: boolean;
  /** Needs an account token with one of these roles (`@RequireRole`; a platform admin always passes). */
  readonly roles?: readonly Role[];
  /** Needs the metrics token, the admin token or a platform admin's token (MetricsGuard). */
  readonly metrics?: boolean;
  /** Open to anyone: says so on purpose. A route must declare exactly one of admin, roles, metrics or public. */
  readonly public?: boolean;
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly body?: z.ZodType;
  readonly response?: z.ZodType;
  readonly status?: number;
}

const routes: RouteDoc[] = [];

export function documentRoute(route: RouteDoc): RouteDoc {
  const declared = [route.admin === true, route.roles !== undefined, route.metrics === true, route.public === true].filter(Boolean).length;
  // Fails at import, so a route cannot ship without saying who may call it.
  if (declared !== 1) throw new Error(`${route.method.toUpperCase()} ${route.path}: declare exactly one of admin, roles, metrics or public (found ${declared})`);
  routes.push(route);
  return route;
}

function parameters(schema: z.ZodObject | undefined, where: 'path' | 'query'): object[] {
  if (!schema) return [];
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, object>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({ name, in: where, required: where === 'path' || (json.required ?? []).includes(name), schema: s }));
}

/** OpenAPI security requirement: alternatives are separate objects; `[]` says "no token needed". */
function securityOf(r: RouteDoc): Record<string, never[]>[] {
  if (r.admin) return [{ adminToken: [] }];
  if (r.roles) return [{ accountToken: [] }];
  if (r.metrics) return [{ metricsToken: [] }, { adminToken: [] }];
  return [];
}

export function buildOpenApiDocument(version: string): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const r of routes) {
    const path = r.path.replace(/:(\w+)/g, '{$1}');
    (paths[path] ??= {})[r.method] = {
      summary: r.summary,
      tags: [r.tag],
      security: securityOf(r),
      ...(r.roles ? { description: `Roles: ${r.roles.join(', ')} (a platform admin always passes).` } : {}),
      parameters: [...parameters(r.params, 'path'), ...parameters(r.query, 'query')],
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: z.toJSONSchema(r.body, { io: 'input', unrepresentable: 'any' }) } } } } : {}),
      responses: {
        [String(r.status ?? 200)]: { description: 'OK', ...(r.response ? { content: { 'application/json': { schema: z.toJSONSchema(r.response, { unrepresentable: 'any' }) } } } : {}) },
        ...(r.params || r.query || r.body ? { 400: { description: 'Invalid input; `issues` names each bad field' } } : {}),
        ...(r.admin ? { 401: { description: 'Missing or wrong admin token' } } : {}),
        ...(r.roles ? { 401: { description: 'Missing, expired or revoked token' }, 403: { description: 'Role or scope does not allow this' } } : {}),
        ...(r.metrics ? { 401: { description: 'Missing or unknown token' }, 403: { description: 'An account token of a role other than platform_admin' } } : {}),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Anxin (安心) platform API',
      version,
      description: 'Device registry, provisioning, telemetry, alerts, accounts, providers, work orders and KPIs, and operations endpoints of the Anxin smart-eldercare platform.',
    },
    components: {
      securitySchemes: {
        adminToken: { type: 'http', scheme: 'bearer', description: 'ANXIN_ADMIN_TOKEN' },
        accountToken: { type: 'http', scheme: 'bearer', description: 'The token from POST /api/auth/login (12 h); ANXIN_ADMIN_TOKEN acts as a platform admin' },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'ANXIN_METRICS_TOKEN (Prometheus scrape)' },
      },
    },
    paths,
  };
}
