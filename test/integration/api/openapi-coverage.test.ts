/**
 * The OpenAPI document at /api/openapi.json lists exactly the REST routes the
 * platform serves: every route in the HTTP server's route table (what Nest
 * registered on express, whatever module it came from) is documented under
 * the same method and path, and the document names no route that is not
 * served. A controller added without `documentRoute(...)` fails here.
 * The static web apps (/console, /screen) are express middleware, not routes,
 * and are not part of the API.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestPlatform, type TestPlatform } from '../../support/test-platform.js';

interface Operation {
  readonly parameters: readonly { readonly name: string; readonly in: string }[];
  readonly security?: readonly Record<string, unknown>[];
}
interface OpenApiDocument {
  readonly openapi: string;
  readonly paths: Readonly<Record<string, Readonly<Record<string, Operation>>>>;
}

/** express 5's route table: one layer per route, with its path and methods. */
interface ExpressApp {
  readonly router: { readonly stack: readonly { readonly route?: { readonly path: string; readonly methods: Readonly<Record<string, boolean>> } }[] };
}

/** `GET /api/orders/{id}`: express `:id` written the OpenAPI way. */
const operationId = (method: string, path: string): string => `${method.toUpperCase()} ${path.replace(/:(\w+)/g, '{$1}')}`;

function servedRoutes(platform: TestPlatform): string[] {
  const express = platform.app.getHttpAdapter().getInstance() as ExpressApp;
  return express.router.stack.flatMap((layer) =>
    layer.route === undefined ? [] : Object.entries(layer.route.methods).filter(([, on]) => on).map(([method]) => operationId(method, layer.route?.path ?? '')),
  );
}

let platform: TestPlatform;
let document: OpenApiDocument;

beforeAll(async () => {
  platform = await startTestPlatform();
  const res = await fetch(`${platform.httpUrl}/api/openapi.json`);
  expect(res.status).toBe(200);
  document = (await res.json()) as OpenApiDocument;
});

afterAll(async () => {
  await platform?.dispose();
});

const documentedRoutes = (): string[] => Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`));

describe('the OpenAPI document', () => {
  it('reads the route table it is compared with (dispatch, accounts, providers and operations routes among them)', () => {
    expect(servedRoutes(platform)).toEqual(
      expect.arrayContaining(['GET /api/orders', 'POST /api/orders/{id}/accept', 'GET /api/kpis', 'POST /api/auth/login', 'GET /api/providers', 'PATCH /api/staff/{id}/duty', 'GET /healthz']),
    );
  });

  it('documents every route the platform serves', () => {
    const documented = new Set(documentedRoutes());

    expect(servedRoutes(platform).filter((route) => !documented.has(route))).toEqual([]);
  });

  it('documents no route the platform does not serve', () => {
    const served = new Set(servedRoutes(platform));

    expect(documentedRoutes().filter((route) => !served.has(route))).toEqual([]);
  });

  it('declares every path parameter of every route', () => {
    const missing = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations).flatMap(([method, op]) =>
        [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').filter((name) => !op.parameters.some((p) => p.in === 'path' && p.name === name)).map((name) => `${method.toUpperCase()} ${path}: ${name}`),
      ),
    );

    expect(missing).toEqual([]);
  });

  it.each([
    ['GET /api/orders', 'accountToken'],
    ['POST /api/orders/{id}/resolve', 'accountToken'],
    ['GET /api/kpis', 'accountToken'],
    ['GET /api/residents/{id}/vitals', 'accountToken'],
    ['GET /api/auth/me', 'accountToken'],
    ['POST /api/accounts', 'accountToken'],
    ['GET /api/residents', 'adminToken'],
  ])('says which token %s needs (%s)', (route, scheme) => {
    const [method = '', path = ''] = route.split(' ');
    expect(document.paths[path]?.[method.toLowerCase()]?.security).toEqual([{ [scheme]: [] }]);
  });
});
