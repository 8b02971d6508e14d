/**
 * The console's live state: one socket.io connection to /dispatch, every
 * received event validated with the shared contracts (parseEvent), offers
 * acknowledged (`offer:ack`), missed events fetched by cursor on reconnect
 * (`auth.cursor` in the handshake, `resync` on a cursor gap), the queue
 * of this provider's open work orders, sorted by priority then deadline, and
 * the alerts it would be offered once confirmed (待确认: a fall seen by one
 * device, in its cancel window).
 */
import { io, type Socket } from 'socket.io-client';
import { computed, reactive, ref } from 'vue';
import {
  alertCommandResultSchema,
  commandResultSchema,
  dispatchServerEventSchemas,
  DISPATCH_NAMESPACE,
  parseEvent,
  resyncResultSchema,
  type AlertCommandResult,
  type CommandResult,
  type DispatchClientToServerEvents,
  type DispatchMissedEvent,
  type DispatchServerToClientEvents,
  type OfferPayload,
  type OrderUpdatePayload,
  type AlertUpdatePayload,
  type AlertPendingPayload,
} from '@contracts';
import type { Session } from '@shared/session';
import { playP1Cue } from './audio-cue';

declare global {
  interface Window {
    __anxinSeenOrders?: string[];
    /** Every alert this console was told is 待确认 (isolation checks). */
    __anxinSeenPending?: string[];
  }
}

type DispatchSocket = Socket<DispatchServerToClientEvents, DispatchClientToServerEvents>;
export type ConnectionState = 'online' | 'reconnecting' | 'offline';
type OrderState = OrderUpdatePayload['state'];
type Outcome = NonNullable<OrderUpdatePayload['outcome']>;

export interface QueueItem {
  readonly offer: OfferPayload;
  attempt: number;
  state: OrderState;
  deadlines: OrderUpdatePayload['deadlines'];
  outcome: Outcome | null;
  notes: string | null;
  alertState: 'active' | 'cleared';
  /** A person took the alert (确认告警 here, or elsewhere). */
  alertAcknowledged: boolean;
  downgradeReason: string | null;
  /** How often the alert's condition came back within its episode (反复 N 次). */
  flaps: number;
  /** The machine saw the condition end; the alert clears once the merge window passes without a return. */
  conditionEnded: boolean;
  updatedAt: number;
}

type PendingAnnouncement = Extract<AlertPendingPayload, { status: 'awaiting_confirmation' }>;

/** 待确认: an alert this provider would be offered once confirmed. Nothing to accept, no sound. */
export interface PendingItem {
  readonly notice: PendingAnnouncement;
  status: 'awaiting_confirmation' | 'self_recovered';
  /** How the resident got up (self_recovered). */
  note: string | null;
  /** Server time the wait ended. */
  endedAt: number | null;
}

const PRIORITY_RANK = { P1: 0, P2: 1, P3: 2 } as const;
/** Our attempt ended without us: the order left this console. */
const GONE_OUTCOMES = new Set(['declined', 'timed_out', 'redispatched', 'withdrawn']);
const OPEN_STATES = new Set<OrderState>(['offered', 'accepted', 'en_route', 'on_site']);
/** P1 offers not yet accepted ring again this often. */
const REPEAT_CUE_MS = 15_000;
/** A self-recovered fall stays on the console this long after the resident got up (its welfare call follows as an order). */
const SELF_RECOVERED_SHOWN_MS = 15_000;

export function createConsoleStore(session: Session) {
  const items = reactive(new Map<string, QueueItem>());
  const pending = reactive(new Map<string, PendingItem>());
  const connection = ref<ConnectionState>('reconnecting');
  const lastSyncAt = ref<number | null>(null);
  const lastError = ref<string | null>(null);
  const now = ref(Date.now());
  let cursor: number | null = loadCursor();
  let socket: DispatchSocket | null = null;
  let clock: ReturnType<typeof setInterval> | null = null;
  let lastCueAt = 0;

  const cursorKey = `anxin.console.cursor.${session.account.id}`;
  function loadCursor(): number | null {
    const raw = sessionStorage.getItem(`anxin.console.cursor.${session.account.id}`);
    return raw === null ? null : Number(raw);
  }
  function saveCursor(c: number): void {
    cursor = c;
    sessionStorage.setItem(cursorKey, String(c));
  }

  const queue = computed(() =>
    [...items.values()]
      .filter((i) => OPEN_STATES.has(i.state))
      .sort((a, b) => PRIORITY_RANK[a.offer.alert.priority] - PRIORITY_RANK[b.offer.alert.priority] || deadlineOf(a) - deadlineOf(b)),
  );
  /** 待确认 first-come; a self-recovered one only briefly (compared with the server's time, as countdowns are). */
  const awaiting = computed(() =>
    [...pending.values()]
      .filter((p) => p.status === 'awaiting_confirmation' || (p.endedAt !== null && now.value - p.endedAt < SELF_RECOVERED_SHOWN_MS))
      .sort((a, b) => a.notice.confirmBy - b.notice.confirmBy),
  );
  const done = computed(() =>
    [...items.values()]
      .filter((i) => !OPEN_STATES.has(i.state))
      .sort((a, b) => b.updatedAt - a.updatedAt)
      .slice(0, 8),
  );

  function applyOffer(offer: OfferPayload, live: boolean): void {
    // For the browser tests: every order id this console ever received (isolation checks).
    (window.__anxinSeenOrders ??= []).push(offer.orderId);
    const existing = items.get(offer.orderId);
    if (!existing || existing.attempt < offer.attempt || (existing.attempt === offer.attempt && !OPEN_STATES.has(existing.state) && existing.state !== 'resolved')) {
      items.set(offer.orderId, {
        offer,
        attempt: offer.attempt,
        state: 'offered',
        deadlines: { acceptBy: offer.sla.acceptBy, onSiteBy: offer.sla.onSiteBy, redispatchAt: null },
        outcome: null,
        notes: null,
        alertState: 'active',
        alertAcknowledged: false,
        downgradeReason: null,
        flaps: offer.alert.flaps,
        conditionEnded: false,
        updatedAt: offer.offeredAt,
      });
      if (live && offer.alert.priority === 'P1') ringP1();
    }
    // Delivery acknowledgement (not acceptance): the server re-sends until it gets this.
    socket?.emit('offer:ack', { orderId: offer.orderId, attempt: offer.attempt, cursor: offer.cursor });
  }

  function applyOrderUpdate(u: OrderUpdatePayload): void {
    const item = items.get(u.orderId);
    if (!item || u.attempt < item.attempt) return;
    if (u.at < item.updatedAt && u.attempt === item.attempt) return;
    item.attempt = u.attempt;
    item.state = GONE_OUTCOMES.has(u.attemptOutcome) ? (u.attemptOutcome === 'declined' ? 'declined' : u.attemptOutcome === 'timed_out' ? 'timed_out' : 'cancelled') : u.state;
    item.deadlines = u.deadlines;
    item.outcome = u.outcome;
    item.notes = u.notes;
    item.updatedAt = u.at;
  }

  function applyAlertUpdate(u: AlertUpdatePayload): void {
    for (const orderId of u.orderIds) {
      const item = items.get(orderId);
      if (!item) continue;
      item.alertState = u.state;
      item.alertAcknowledged = u.acknowledged;
      item.downgradeReason = u.downgradeReason;
      item.flaps = u.flaps;
      item.conditionEnded = u.conditionEnded;
    }
  }

  /**
   * 待确认 is shown until its own end arrives, not when an offer for the same
   * alert does: a confirmed fall's offer comes first and the card goes with
   * `confirmed`; a self-recovered one shows 已自行起身 a while next to its P2
   * welfare order. Never a sound: nobody is paged yet.
   */
  function applyPending(p: AlertPendingPayload): void {
    if (p.status === 'awaiting_confirmation') {
      (window.__anxinSeenPending ??= []).push(p.alertId);
      pending.set(p.alertId, { notice: p, status: p.status, note: null, endedAt: null });
      return;
    }
    const item = pending.get(p.alertId);
    if (item === undefined) return;
    if (p.status === 'self_recovered') Object.assign(item, { status: p.status, note: p.note, endedAt: p.at });
    else pending.delete(p.alertId);
  }

  function applyMissed(events: readonly DispatchMissedEvent[]): void {
    for (const e of events) {
      switch (e.event) {
        case 'offer':
          applyOffer(e.data, false);
          break;
        case 'order:update':
          applyOrderUpdate(e.data);
          break;
        case 'alert:update':
          applyAlertUpdate(e.data);
          break;
        case 'alert:pending':
          applyPending(e.data);
          break;
      }
    }
    // After a resync, ring once for any P1 still waiting to be accepted.
    if ([...items.values()].some((i) => i.state === 'offered' && i.offer.alert.priority === 'P1')) ringP1();
  }

  /** Accepts an event's cursor; asks for what is missing when it jumps. */
  function advance(eventCursor: number): boolean {
    if (cursor !== null && eventCursor <= cursor) return false;
    if (cursor !== null && eventCursor > cursor + 1) requestResync(cursor);
    saveCursor(Math.max(eventCursor, cursor ?? 0));
    lastSyncAt.value = Date.now();
    return true;
  }

  function requestResync(since: number): void {
    socket?.timeout(10_000).emit('resync', { since }, (err, raw) => {
      if (err) return;
      const r = resyncResultSchema.safeParse(raw);
      if (!r.success || !r.data.ok) return;
      onResync(r.data.resync);
    });
  }

  function onResync(resync: Parameters<DispatchServerToClientEvents['resync']>[0]): void {
    applyMissed(resync.events);
    saveCursor(Math.max(resync.toCursor, cursor ?? 0));
    lastSyncAt.value = Date.now();
    if (resync.truncated) requestResync(resync.toCursor);
  }

  function ringP1(): void {
    lastCueAt = Date.now();
    playP1Cue();
  }

  function reportInvalid(event: string, message: string): void {
    lastError.value = `收到无效的 ${event} 事件：${message.slice(0, 120)}`;
  }

  function connect(): void {
    socket = io(DISPATCH_NAMESPACE, {
      // A function, so every reconnection sends the latest cursor.
      auth: (cb) => cb(cursor === null ? { token: session.token, cursor: 0 } : { token: session.token, cursor }),
      transports: ['websocket', 'polling'],
      reconnectionDelay: 500,
      reconnectionDelayMax: 5_000,
    });
    socket.on('connect', () => {
      connection.value = 'online';
      lastError.value = null;
      lastSyncAt.value = Date.now();
    });
    socket.on('disconnect', (reason) => {
      // The server dropped us on purpose (token revoked): socket.io does not reconnect by itself then.
      connection.value = reason === 'io server disconnect' ? 'offline' : 'reconnecting';
      if (reason === 'io server disconnect') lastError.value = '服务器已断开连接（登录可能已失效）';
    });
    socket.on('connect_error', (err) => {
      connection.value = socket?.active ? 'reconnecting' : 'offline';
      lastError.value = socket?.active ? null : `连接被拒绝：${err.message}`;
    });
    socket.io.on('reconnect_attempt', () => {
      connection.value = 'reconnecting';
    });
    socket.on('offer', (raw) => {
      const r = parseEvent(dispatchServerEventSchemas, 'offer', raw);
      if (!r.success) return reportInvalid('offer', r.error.message);
      const fresh = advance(r.data.cursor);
      applyOffer(r.data, fresh || !items.has(r.data.orderId));
    });
    socket.on('order:update', (raw) => {
      const r = parseEvent(dispatchServerEventSchemas, 'order:update', raw);
      if (!r.success) return reportInvalid('order:update', r.error.message);
      advance(r.data.cursor);
      applyOrderUpdate(r.data);
    });
    socket.on('alert:update', (raw) => {
      const r = parseEvent(dispatchServerEventSchemas, 'alert:update', raw);
      if (!r.success) return reportInvalid('alert:update', r.error.message);
      advance(r.data.cursor);
      applyAlertUpdate(r.data);
    });
    socket.on('alert:pending', (raw) => {
      const r = parseEvent(dispatchServerEventSchemas, 'alert:pending', raw);
      if (!r.success) return reportInvalid('alert:pending', r.error.message);
      advance(r.data.cursor);
      applyPending(r.data);
    });
    socket.on('resync', (raw) => {
      const r = parseEvent(dispatchServerEventSchemas, 'resync', raw);
      if (!r.success) return reportInvalid('resync', r.error.message);
      onResync(r.data);
    });
    clock = setInterval(() => {
      now.value = Date.now();
      if (navigator.onLine === false) connection.value = 'offline';
      const waitingP1 = [...items.values()].some((i) => i.state === 'offered' && i.offer.alert.priority === 'P1');
      if (waitingP1 && now.value - lastCueAt >= REPEAT_CUE_MS) ringP1();
      for (const [id, p] of pending) if (p.endedAt !== null && now.value - p.endedAt >= SELF_RECOVERED_SHOWN_MS) pending.delete(id);
    }, 250);
  }

  function disconnect(): void {
    if (clock !== null) clearInterval(clock);
    socket?.disconnect();
    socket = null;
  }

  type CommandName = 'order:accept' | 'order:decline' | 'order:en_route' | 'order:on_site' | 'order:resolve';
  async function command(name: CommandName, payload: Record<string, unknown>): Promise<CommandResult> {
    const s = socket;
    if (s === null || !s.connected) return { ok: false, error: { code: 'unauthorized', message: '未连接到平台' } };
    const raw: unknown = await new Promise((resolve) => {
      (s.timeout(10_000) as unknown as { emit(event: string, data: unknown, ack: (err: Error | null, result?: unknown) => void): void }).emit(name, payload, (err, result) =>
        resolve(err ? { ok: false, error: { code: 'not_found', message: '平台无响应，请重试' } } : result),
      );
    });
    const result = commandResultSchema.safeParse(raw);
    if (!result.success) return { ok: false, error: { code: 'invalid_payload', message: '平台返回了无效的结果' } };
    // Apply at once; the broadcast with the same content follows (the cursor only advances from broadcasts).
    if (result.data.ok && result.data.order) applyOrderUpdate(result.data.order);
    return result.data;
  }

  /** 确认告警 / 解除告警: the alert behind an order this provider holds. */
  async function alertCommand(name: 'alert:acknowledge' | 'alert:clear', item: QueueItem, payload: Record<string, unknown>): Promise<AlertCommandResult> {
    const s = socket;
    if (s === null || !s.connected) return { ok: false, error: { code: 'unauthorized', message: '未连接到平台' } };
    const raw: unknown = await new Promise((resolve) => {
      (s.timeout(10_000) as unknown as { emit(event: string, data: unknown, ack: (err: Error | null, result?: unknown) => void): void }).emit(name, { orderId: item.offer.orderId, ...payload }, (err, result) =>
        resolve(err ? { ok: false, error: { code: 'not_found', message: '平台无响应，请重试' } } : result),
      );
    });
    const result = alertCommandResultSchema.safeParse(raw);
    if (!result.success) return { ok: false, error: { code: 'invalid_payload', message: '平台返回了无效的结果' } };
    // Apply at once, like an order command; the alert:update broadcast with the same content follows.
    const target = items.get(item.offer.orderId);
    if (result.data.ok && target) {
      target.alertState = result.data.alert.state;
      target.alertAcknowledged = result.data.alert.acknowledged;
    }
    return result.data;
  }

  return {
    items,
    queue,
    awaiting,
    done,
    connection,
    lastSyncAt,
    lastError,
    now,
    connect,
    disconnect,
    accept: (item: QueueItem) => command('order:accept', { orderId: item.offer.orderId, attempt: item.attempt }),
    decline: (item: QueueItem, reason: string) => command('order:decline', { orderId: item.offer.orderId, attempt: item.attempt, reason }),
    enRoute: (item: QueueItem) => command('order:en_route', { orderId: item.offer.orderId }),
    onSite: (item: QueueItem) => command('order:on_site', { orderId: item.offer.orderId }),
    resolve: (item: QueueItem, outcome: Outcome, notes: string) => command('order:resolve', { orderId: item.offer.orderId, outcome, notes }),
    acknowledgeAlert: (item: QueueItem) => alertCommand('alert:acknowledge', item, {}),
    clearAlert: (item: QueueItem, note: string) => alertCommand('alert:clear', item, { note }),
  };
}

export type ConsoleStore = ReturnType<typeof createConsoleStore>;

/** The deadline the countdown shows: accept-by while offered, on-site-by until someone is there. */
export function deadlineOf(item: QueueItem): number {
  if (item.state === 'offered') return item.deadlines.acceptBy ?? item.offer.sla.acceptBy;
  if (item.state === 'accepted' || item.state === 'en_route') return item.deadlines.onSiteBy ?? item.offer.sla.onSiteBy;
  return item.deadlines.redispatchAt ?? Number.MAX_SAFE_INTEGER;
}
