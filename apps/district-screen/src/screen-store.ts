/**
 * The 大屏's live state: REST for what does not change often (streets,
 * providers, the residents/devices summary, the KPIs at start) and the
 * /district namespace for everything live, each event validated with the
 * shared contracts. The screen keeps no personal data: /district payloads are
 * PII-free by contract and the REST calls used here return counts, place
 * names and provider organisations only.
 */
import { io, type Socket } from 'socket.io-client';
import { computed, reactive, ref, shallowRef } from 'vue';
import { z } from 'zod';
import {
  districtResyncResultSchema,
  districtServerEventSchemas,
  DISTRICT_NAMESPACE,
  kpiUpdateSchema,
  parseEvent,
  type DistrictAlertUpdatePayload,
  type DistrictClientToServerEvents,
  type DistrictOrderUpdatePayload,
  type DistrictServerToClientEvents,
  type KpiUpdatePayload,
} from '@contracts';
import { apiJson, districtsSchema, streetsSchema, type Session, type Street } from '@shared/session';

type DistrictSocket = Socket<DistrictServerToClientEvents, DistrictClientToServerEvents>;
export type ConnectionState = 'online' | 'reconnecting' | 'offline';

const serviceShare = z.number().min(0).max(1).nullable();
export const summarySchema = z.object({
  districtCode: z.string(),
  at: z.number(),
  residents: z.number(),
  devices: z.number(),
  devicesOnline: z.number(),
  streets: z.array(
    z.object({
      streetCode: z.string(),
      residents: z.number(),
      coverage: z.object({ meal: serviceShare, cleaning: serviceShare, medical: serviceShare, remote_care: serviceShare }),
    }),
  ),
});
export type ScreenSummary = z.infer<typeof summarySchema>;

/** Providers as the screen shows them: organisation, services, base. The duty phone is dropped on arrival. */
const providersSchema = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      services: z.array(z.string()),
      streetCodes: z.array(z.string()),
      base: z.object({ lat: z.number(), lon: z.number() }),
    }),
  ),
});
export type ProviderPin = z.infer<typeof providersSchema>['items'][number];

export interface FeedEntry {
  readonly key: string;
  readonly at: number;
  readonly kind: 'order' | 'alert';
  readonly data: DistrictOrderUpdatePayload | DistrictAlertUpdatePayload;
}

const SUMMARY_REFRESH_MS = 30_000;

/** Start of today in Asia/Shanghai (UTC+8, no DST). */
export function startOfTodayShanghai(now: number): number {
  const offset = 8 * 3_600_000;
  return Math.floor((now + offset) / 86_400_000) * 86_400_000 - offset;
}

export function createScreenStore(session: Session) {
  const districtCode = session.account.districtCode ?? '';
  const districtName = ref(districtCode);
  const streets = shallowRef<Street[]>([]);
  const providers = shallowRef<ProviderPin[]>([]);
  const summary = shallowRef<ScreenSummary | null>(null);
  const kpis = shallowRef<KpiUpdatePayload | null>(null);
  const alerts = reactive(new Map<string, DistrictAlertUpdatePayload>());
  const orders = reactive(new Map<string, DistrictOrderUpdatePayload>());
  const feed = ref<FeedEntry[]>([]);
  const connection = ref<ConnectionState>('reconnecting');
  const lastSyncAt = ref<number | null>(null);
  const now = ref(Date.now());
  const problems = ref<string[]>([]);
  let cursor: number | null = null;
  let socket: DistrictSocket | null = null;
  const timers: ReturnType<typeof setInterval>[] = [];

  const streetName = (code: string): string => streets.value.find((s) => s.code === code)?.name ?? code;

  function pushFeed(entry: FeedEntry): void {
    feed.value = [entry, ...feed.value.filter((f) => f.key !== entry.key)].slice(0, 30);
  }

  function applyAlert(a: DistrictAlertUpdatePayload): void {
    if (a.districtCode !== districtCode) return;
    const prev = alerts.get(a.alertId);
    if (prev && prev.at > a.at) return;
    alerts.set(a.alertId, a);
    pushFeed({ key: `a-${a.alertId}-${a.state}`, at: a.at, kind: 'alert', data: a });
  }
  function applyOrder(o: DistrictOrderUpdatePayload): void {
    if (o.districtCode !== districtCode) return;
    const prev = orders.get(o.orderId);
    if (prev && prev.at > o.at) return;
    orders.set(o.orderId, o);
    pushFeed({ key: `o-${o.orderId}-${o.state}-${o.attempt}`, at: o.at, kind: 'order', data: o });
  }
  function applyKpis(k: KpiUpdatePayload): void {
    if (k.districtCode === districtCode) kpis.value = k;
  }

  function advance(c: number): void {
    if (cursor !== null && c > cursor + 1) requestResync(cursor);
    cursor = Math.max(c, cursor ?? 0);
    lastSyncAt.value = Date.now();
  }

  function requestResync(since: number): void {
    socket?.timeout(10_000).emit('resync', { since }, (err, raw) => {
      if (err) return;
      const r = districtResyncResultSchema.safeParse(raw);
      if (r.success && r.data.ok) onResync(r.data.resync);
    });
  }

  function onResync(r: Parameters<DistrictServerToClientEvents['resync']>[0]): void {
    for (const e of r.events) {
      if (e.event === 'alert:update') applyAlert(e.data);
      else if (e.event === 'order:update') applyOrder(e.data);
      else applyKpis(e.data);
    }
    cursor = Math.max(r.toCursor, cursor ?? 0);
    lastSyncAt.value = Date.now();
    if (r.truncated) requestResync(r.toCursor);
  }

  async function loadStatic(): Promise<void> {
    const token = session.token;
    const tasks: Promise<void>[] = [
      apiJson('/api/geography/districts', districtsSchema, token).then((d) => {
        districtName.value = d.items.find((x) => x.code === districtCode)?.name ?? districtCode;
      }),
      apiJson(`/api/geography/streets?districtCode=${encodeURIComponent(districtCode)}`, streetsSchema, token).then((s) => {
        streets.value = s.items;
      }),
      apiJson(`/api/providers?districtCode=${encodeURIComponent(districtCode)}`, providersSchema, token).then((p) => {
        providers.value = p.items.map(({ id, name, services, streetCodes, base }) => ({ id, name, services, streetCodes, base }));
      }),
      refreshSummary(),
      apiJson(`/api/kpis?districtCode=${encodeURIComponent(districtCode)}`, kpiUpdateSchema.omit({ cursor: true }), token).then((k) => {
        if (kpis.value === null) kpis.value = { ...k, cursor: 0 };
      }),
    ];
    const results = await Promise.allSettled(tasks);
    problems.value = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason instanceof Error ? r.reason.message : r.reason)] : []));
  }

  async function refreshSummary(): Promise<void> {
    summary.value = await apiJson('/api/screen/summary', summarySchema, session.token);
  }

  function connect(): void {
    void loadStatic();
    socket = io(DISTRICT_NAMESPACE, {
      auth: (cb) => cb({ token: session.token, cursor: cursor ?? 0 }),
      transports: ['websocket', 'polling'],
      reconnectionDelay: 500,
      reconnectionDelayMax: 5_000,
    });
    socket.on('connect', () => {
      connection.value = 'online';
      lastSyncAt.value = Date.now();
    });
    socket.on('disconnect', (reason) => {
      connection.value = reason === 'io server disconnect' ? 'offline' : 'reconnecting';
    });
    socket.on('connect_error', () => {
      connection.value = socket?.active ? 'reconnecting' : 'offline';
    });
    socket.io.on('reconnect_attempt', () => {
      connection.value = 'reconnecting';
    });
    socket.on('alert:update', (raw) => {
      const r = parseEvent(districtServerEventSchemas, 'alert:update', raw);
      if (!r.success) return;
      advance(r.data.cursor);
      applyAlert(r.data);
    });
    socket.on('order:update', (raw) => {
      const r = parseEvent(districtServerEventSchemas, 'order:update', raw);
      if (!r.success) return;
      advance(r.data.cursor);
      applyOrder(r.data);
    });
    socket.on('kpi:update', (raw) => {
      const r = parseEvent(districtServerEventSchemas, 'kpi:update', raw);
      if (!r.success) return;
      advance(r.data.cursor);
      applyKpis(r.data);
    });
    socket.on('resync', (raw) => {
      const r = parseEvent(districtServerEventSchemas, 'resync', raw);
      if (r.success) onResync(r.data);
    });
    timers.push(setInterval(() => (now.value = Date.now()), 1_000));
    timers.push(setInterval(() => void refreshSummary().catch(() => undefined), SUMMARY_REFRESH_MS));
  }

  function disconnect(): void {
    timers.forEach(clearInterval);
    socket?.disconnect();
    socket = null;
  }

  /**
   * Alerts as the screen counts them: those announced on /district
   * (`alert:update`), plus those only known through their work order (an
   * order carries its alertId, kind, priority and street; its first update
   * is when the alert was dispatched). For the latter the severity is read
   * from the priority (P1 life-safety → 危急, P2 → 严重, P3 → 一般).
   */
  const knownAlerts = computed(() => {
    const out = new Map<string, Pick<DistrictAlertUpdatePayload, 'alertId' | 'streetCode' | 'kind' | 'severity' | 'cell' | 'raisedAt'> & { active: boolean }>();
    const OPEN = new Set(['offered', 'accepted', 'en_route', 'on_site', 'declined', 'timed_out', 'escalated']);
    const SEVERITY_OF = { P1: 'critical', P2: 'major', P3: 'minor' } as const;
    for (const o of orders.values()) {
      if (o.alertId === null || o.kind === 'missed_meal') continue;
      const prev = out.get(o.alertId);
      out.set(o.alertId, {
        alertId: o.alertId,
        streetCode: o.streetCode,
        kind: o.kind,
        severity: SEVERITY_OF[o.priority],
        cell: null,
        raisedAt: Math.min(prev?.raisedAt ?? o.at, o.at),
        active: (prev?.active ?? false) || OPEN.has(o.state),
      });
    }
    for (const a of alerts.values()) out.set(a.alertId, { ...a, active: a.state === 'active' });
    return [...out.values()];
  });
  const activeAlerts = computed(() => knownAlerts.value.filter((a) => a.active));
  const todayAlerts = computed(() => {
    const start = startOfTodayShanghai(now.value);
    return knownAlerts.value.filter((a) => a.raisedAt >= start).length;
  });
  const todayDispatches = computed(() => {
    const start = startOfTodayShanghai(now.value);
    return [...orders.values()].filter((o) => o.at >= start).length;
  });
  /** Alerts raised per hour over the last 24 h (oldest first). */
  const alertsPerHour = computed(() => {
    const hour = 3_600_000;
    const end = Math.floor(now.value / hour) * hour + hour;
    const buckets = Array.from({ length: 24 }, (_, i) => ({ at: end - (24 - i) * hour, count: 0 }));
    for (const a of knownAlerts.value) {
      const i = Math.floor((a.raisedAt - (end - 24 * hour)) / hour);
      const bucket = buckets[i];
      if (bucket) bucket.count += 1;
    }
    return buckets;
  });

  return {
    districtCode,
    districtName,
    streets,
    providers,
    summary,
    kpis,
    alerts,
    orders,
    feed,
    connection,
    lastSyncAt,
    now,
    problems,
    activeAlerts,
    todayAlerts,
    todayDispatches,
    alertsPerHour,
    streetName,
    connect,
    disconnect,
  };
}
export type ScreenStore = ReturnType<typeof createScreenStore>;
