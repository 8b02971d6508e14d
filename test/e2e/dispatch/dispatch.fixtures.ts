/**
 * Dispatch test helpers: demo logins, a real socket.io-client console that
 * records every event it receives, a demo resident whose nearest covering
 * provider has demo logins, a fall published with mosquitto_pub, and a real
 * node:http webhook receiver.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { io, type Socket } from 'socket.io-client';
import { DEMO_PASSWORD } from '../../../src/accounts/demo/demo-accounts.js';
import { DISPATCH_NAMESPACE, DISTRICT_NAMESPACE, type DispatchClientToServerEvents, type DispatchServerToClientEvents, type OfferPayload } from '../../../src/contracts/dispatch.contracts.js';
import { planDispatch, requirementFor } from '../../../src/domain/dispatch/dispatch-policy.js';
import { providersToConsider } from '../../../src/dispatch/dispatch.service.js';
import type { Alert, AlertKind } from '../../../src/domain/alerts/alert.schema.js';
import type { Resident } from '../../../src/domain/residents/resident.js';
import { ProviderDirectory } from '../../../src/providers/provider.directory.js';
import { GeographyRepository } from '../../../src/registry/geography.repository.js';
import { ResidentRepository } from '../../../src/registry/resident.repository.js';
import type { TestPlatform } from '../../support/test-platform.js';

export const DEMO_CONFIG = { demo: { enabled: true, residents: 40, liveHomes: 0, key: 'dispatch-test-demo-key-0001' } } as const;

/** Providers that have demo logins: key → [district, provider id]. */
export const LOGIN_PROVIDERS: Readonly<Record<string, readonly [string, string]>> = {
  minzu: ['420103', 'prv-420103-minzu'],
  tangjiadun: ['420103', 'prv-420103-tangjiadun'],
  zhongnanlu: ['420106', 'prv-420106-zhongnanlu'],
  luonan: ['420111', 'prv-420111-luonan'],
};

export async function login(platform: TestPlatform, username: string): Promise<string> {
  const res = await fetch(`${platform.httpUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: DEMO_PASSWORD }) });
  if (res.status !== 200 && res.status !== 201) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

export type ConsoleSocket = Socket<DispatchServerToClientEvents, DispatchClientToServerEvents>;

export interface Received {
  readonly event: string;
  readonly data: unknown;
  readonly at: number;
}

/** A provider console: records every event; acknowledges every offer (live or in a resync) unless told not to. */
export class TestConsole {
  readonly received: Received[] = [];
  readonly offers: { offer: OfferPayload; at: number }[] = [];
  lastCursor = 0;
  socket: ConsoleSocket;

  constructor(
    readonly url: string,
    private token: string,
    readonly options: { readonly autoAck?: boolean; readonly namespace?: string } = {},
  ) {
    this.socket = this.open();
  }

  private open(cursor?: number): ConsoleSocket {
    const socket: ConsoleSocket = io(`${this.url}${this.options.namespace ?? DISPATCH_NAMESPACE}`, {
      auth: cursor === undefined ? { token: this.token } : { token: this.token, cursor },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    socket.onAny((event: string, data: unknown) => {
      const at = Date.now();
      this.received.push({ event, data, at });
      const items = event === 'resync' ? (data as { events: { event: string; data: unknown }[] }).events : [{ event, data }];
      for (const item of items) {
        const cursor = (item.data as { cursor?: number }).cursor;
        if (typeof cursor === 'number' && cursor > this.lastCursor) this.lastCursor = cursor;
        if (item.event === 'offer') {
          const offer = item.data as OfferPayload;
          this.offers.push({ offer, at });
          if (this.options.autoAck !== false) socket.emit('offer:ack', { orderId: offer.orderId, attempt: offer.attempt, cursor: offer.cursor });
        }
      }
    });
    return socket;
  }

  connected(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.socket.connected) return resolve();
      this.socket.once('connect', () => resolve());
      this.socket.once('connect_error', (e) => reject(e));
    });
  }

  disconnect(): void {
    this.socket.disconnect();
  }

  /** Reconnects with the last cursor seen (the server replays what was missed). */
  async reconnect(): Promise<void> {
    this.socket = this.open(this.lastCursor);
    await this.connected();
  }

  command<E extends 'order:accept' | 'order:decline' | 'order:en_route' | 'order:on_site' | 'order:resolve' | 'alert:acknowledge' | 'alert:clear'>(event: E, body: Parameters<DispatchClientToServerEvents[E]>[0]): Promise<unknown> {
    return new Promise((resolve) => (this.socket.emit as (e: string, b: unknown, ack: (r: unknown) => void) => void)(event, body, resolve));
  }
}

export function districtConsole(url: string, token: string): TestConsole {
  return new TestConsole(url, token, { namespace: DISTRICT_NAMESPACE });
}

/** Demo residents whose nearest covering provider (per the policy) is `providerId`, for a given alert kind. */
export async function residentsServedBy(platform: TestPlatform, providerId: string, kind: AlertKind = 'fall'): Promise<Resident[]> {
  const directory = platform.get(ProviderDirectory);
  const geography = platform.get(GeographyRepository);
  const residents = platform.get(ResidentRepository);
  const out: Resident[] = [];
  const page = await residents.list({ limit: 500 });
  for (const masked of page.items) {
    const r = (await residents.getById(masked.id, { unmasked: true })) as Resident;
    const home = r.homeId === null ? undefined : await geography.findHome(r.homeId);
    if (!home) continue;
    const req = requirementFor(kind, 'critical', 'P1');
    const plan = planDispatch({ reason: kind, severity: 'critical', alertPriority: 'P1', streetCode: r.streetCode, home }, providersToConsider(directory, r, req.services, () => 0), Date.now());
    if (plan.candidates[0]?.providerId === providerId) out.push(r);
  }
  return out;
}

/** A demo resident whose nearest covering provider has a demo login, for an alert kind. */
export async function residentWithDemoProvider(platform: TestPlatform, kind: AlertKind): Promise<Resident> {
  for (const [, providerId] of Object.values(LOGIN_PROVIDERS)) {
    const [first] = await residentsServedBy(platform, providerId, kind);
    if (first) return first;
  }
  throw new Error(`no demo resident is served by a provider with a demo login for ${kind}`);
}

export const mosquittoPub = (port: number, args: string[]): Promise<number> =>
  new Promise((resolve) => {
    execFile('/usr/bin/mosquitto_pub', ['-h', '127.0.0.1', '-p', String(port), '-q', '1', ...args], { timeout: 5_000 }, (error) => {
      resolve(error === null ? 0 : typeof error.code === 'number' ? error.code : -1);
    });
  });

export interface WebhookReceiver {
  readonly url: string;
  readonly requests: { path: string; idempotencyKey: string | undefined; body: unknown; at: number }[];
  close(): Promise<void>;
}

/** A real HTTP server standing in for the family / duty-officer gateways. `failFirst` answers 503 to the first n requests. */
export async function startWebhookReceiver(failFirst = 0): Promise<WebhookReceiver> {
  const requests: WebhookReceiver['requests'] = [];
  let failures = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (failures < failFirst) {
        failures += 1;
        res.writeHead(503).end();
        return;
      }
      const key = req.headers['idempotency-key'];
      requests.push({ path: req.url ?? '/', idempotencyKey: Array.isArray(key) ? key[0] : key, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown, at: Date.now() });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 3_000, stepMs = 10): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** A demo resident with at least `min` ranked candidates for a fall. */
export async function residentWithCandidates(platform: TestPlatform, min: number): Promise<{ resident: Resident; candidates: string[] }> {
  const directory = platform.get(ProviderDirectory);
  const geography = platform.get(GeographyRepository);
  const residents = platform.get(ResidentRepository);
  for (const masked of (await residents.list({ limit: 500 })).items) {
    const r = (await residents.getById(masked.id, { unmasked: true })) as Resident;
    const home = r.homeId === null ? undefined : await geography.findHome(r.homeId);
    if (!home) continue;
    const req = requirementFor('fall', 'critical', 'P1');
    const plan = planDispatch({ reason: 'fall', severity: 'critical', alertPriority: 'P1', streetCode: r.streetCode, home }, providersToConsider(directory, r, req.services, () => 0), Date.now());
    if (plan.candidates.length >= min) return { resident: r, candidates: plan.candidates.map((c) => c.providerId) };
  }
  throw new Error(`no demo resident with ${min} candidates`);
}

let alertSeq = 0;

/** A raised fall alert as alerting publishes it (AlertRaised), for tests that start at the bus. */
export function makeFallAlert(residentId: string, at: number, overrides: Partial<Alert> = {}): Alert {
  alertSeq += 1;
  return {
    id: `al-test-${alertSeq}-${at}`,
    kind: 'fall',
    vital: null,
    residentId,
    homeId: null,
    deviceId: 'dev-test',
    severity: 'critical',
    priority: 'P1',
    state: 'active',
    acknowledged: false,
    acknowledgedBy: null,
    acknowledgedAt: null,
    count: 1,
    firstRaisedAt: at,
    lastTriggeredAt: at,
    detectedAt: at,
    conditionEndedAt: null,
    clearedAt: null,
    clearedBy: null,
    clearNote: null,
    downgraded: false,
    downgradeReason: null,
    awaitingConfirmationUntil: null,
    heldForCatchUp: false,
    flaps: 0,
    evidence: { ruleId: 'fall.event', ruleVersion: 1, thresholds: { cancelWindowMs: 30_000 }, samples: [], summary: '跌倒雷达检测到跌倒' },
    ...overrides,
  };
}
