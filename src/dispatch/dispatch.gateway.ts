/**
 * The socket.io edge of dispatch (@nestjs/websockets on the Nest app's own
 * HTTP server). Two namespaces, both authenticated in the handshake
 * (`auth: { token, cursor? }`, verified by AuthService through AccessGuard):
 *
 * - /dispatch: provider dispatchers and caregivers; rooms `provider:{id}` and
 *   `staff:{id}`. A socket only ever joins its own provider's room, so it only
 *   ever receives its own provider's offers and orders.
 * - /district: district officers (room `district:{code}` of their district);
 *   a platform admin names the district in `auth.districtCode`.
 *
 * Every payload is validated with the contract's zod schema before it is
 * emitted; every inbound command is parsed before it reaches the service
 * (STYLE.md §4). A `cursor` in the handshake replays everything after it from
 * SQL (`resync`). Revoked tokens are disconnected at once, expired ones at expiry.
 */
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '../config/config.schema.js';
import { AggregatedLog } from '../observability/aggregated-log.js';
import type { Logger } from '../observability/logger.js';
import { APP_CONFIG, LOGGER } from '../platform.tokens.js';
import { guardHandshakeOrigin } from './handshake-origin.js';
import { WebSocketGateway, WebSocketServer, type OnGatewayConnection, type OnGatewayInit } from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import { z } from 'zod';
import { AccessGuard } from '../accounts/api/access.guard.js';
import { AuthService } from '../accounts/auth.service.js';
import {
  DISPATCH_NAMESPACE,
  DISTRICT_NAMESPACE,
  dispatchClientEventSchemas,
  dispatchServerEventSchemas,
  districtClientEventSchemas,
  districtServerEventSchemas,
  handshakeAuthSchema,
  parseEvent,
  type AlertCommandResult,
  type CommandResult,
  type DispatchClientToServerEvents,
  type DispatchMissedEvent,
  type DispatchServerToClientEvents,
  type DistrictClientToServerEvents,
  type DistrictServerToClientEvents,
  type EventPayload,
} from '../contracts/dispatch.contracts.js';
import type { Principal } from '../domain/access/principal.js';
import { ConsoleAlertsService, type AlertView, type ConsoleAlertCommand } from './console-alerts.service.js';
import { DispatchError, DispatchService, type DistrictMissedEvent, type OrderCommand } from './dispatch.service.js';

interface SocketData {
  principal: Principal;
  providerId?: string;
  districtCode?: string;
  cursor?: number;
}

type DispatchSocket = Socket<DispatchClientToServerEvents, DispatchServerToClientEvents, Record<string, never>, SocketData>;
type DistrictSocket = Socket<DistrictClientToServerEvents, DistrictServerToClientEvents, Record<string, never>, SocketData>;

const districtHandshakeSchema = handshakeAuthSchema.extend({ districtCode: z.string().min(1).max(32).optional() });

/** Disconnects sockets whose token is revoked (AuthService.onRevoked) or expires. */
class TokenWatch {
  private readonly byJti = new Map<string, Set<Socket>>();
  private readonly off: () => void;

  constructor(auth: AuthService) {
    this.off = auth.onRevoked(({ jti }) => {
      for (const socket of this.byJti.get(jti) ?? []) socket.disconnect(true);
      this.byJti.delete(jti);
    });
  }

  watch(socket: Socket, principal: Principal): void {
    if (principal.via.kind !== 'account_token') return;
    const { jti, expiresAt } = principal.via;
    const set = this.byJti.get(jti) ?? new Set<Socket>();
    set.add(socket);
    this.byJti.set(jti, set);
    const expiry = setTimeout(() => socket.disconnect(true), Math.max(0, Math.min(2 ** 31 - 1, expiresAt - Date.now())));
    expiry.unref();
    socket.once('disconnect', () => {
      clearTimeout(expiry);
      set.delete(socket);
      if (set.size === 0) this.byJti.delete(jti);
    });
  }

  close(): void {
    this.off();
  }
}

function toError(error: unknown): { code: DispatchError['code']; message: string } {
  if (error instanceof DispatchError) return { code: error.code, message: error.message.slice(0, 500) };
  return { code: 'illegal_transition', message: 'internal error' };
}

async function authenticate(guard: AccessGuard, raw: unknown): Promise<Principal> {
  const token = typeof raw === 'object' && raw !== null ? (raw as { token?: unknown }).token : undefined;
  if (typeof token !== 'string') throw new Error('unauthorized: auth.token required');
  try {
    return await guard.authenticate(token);
  } catch {
    throw new Error('unauthorized: invalid, expired or revoked token');
  }
}

/**
 * Handshake refusals come from anyone on the network: one line per reason per
 * interval, with a count. Both namespaces share one engine and so one origin
 * guard (the first installed); each gateway flushes its own log on shutdown.
 */
function handshakeRefusalLog(logger: Logger, config: AppConfig): AggregatedLog {
  return new AggregatedLog(logger, { message: 'socket.io handshake refused', keyField: 'reason', intervalMs: config.refusalLogIntervalMs });
}

@Injectable()
@WebSocketGateway({ namespace: DISPATCH_NAMESPACE })
export class DispatchGateway implements OnGatewayInit, OnGatewayConnection, OnApplicationShutdown {
  @WebSocketServer() private ns!: Namespace<DispatchClientToServerEvents, DispatchServerToClientEvents, Record<string, never>, SocketData>;
  private readonly tokens: TokenWatch;
  private readonly handshakeRefusals: AggregatedLog;

  constructor(
    private readonly service: DispatchService,
    private readonly alerts: ConsoleAlertsService,
    private readonly guard: AccessGuard,
    auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.tokens = new TokenWatch(auth);
    this.handshakeRefusals = handshakeRefusalLog(logger, config);
  }

  afterInit(): void {
    guardHandshakeOrigin(this.ns.server, this.config.http.allowedOrigins, (origin, reason) => this.handshakeRefusals.record(reason, { origin }));
    this.ns.use((socket, next) => {
      void (async () => {
        const auth = handshakeAuthSchema.safeParse(socket.handshake.auth);
        if (!auth.success) throw new Error('unauthorized: auth must be { token, cursor? }');
        const principal = await authenticate(this.guard, socket.handshake.auth);
        if ((principal.role !== 'provider_dispatcher' && principal.role !== 'caregiver') || principal.scope.providerId === null) {
          throw new Error(`forbidden: ${principal.role} has no provider console`);
        }
        socket.data = { principal, providerId: principal.scope.providerId, ...(auth.data.cursor !== undefined ? { cursor: auth.data.cursor } : {}) };
      })().then(
        () => next(),
        (error: unknown) => next(error instanceof Error ? error : new Error(String(error))),
      );
    });
    this.service.attachProviders((providerId, event) => this.emit(`provider:${providerId}`, event));
  }

  /** Validated emit to a room (contract schema first). */
  private emit(room: string, e: DispatchMissedEvent): void {
    const parsed = parseEvent(dispatchServerEventSchemas, e.event, e.data);
    if (!parsed.success) throw new Error(`refusing to emit an invalid ${e.event}: ${parsed.error.message}`);
    (this.ns.to(room).emit as (ev: string, data: unknown) => boolean)(e.event, parsed.data);
  }

  async handleConnection(socket: DispatchSocket): Promise<void> {
    const { principal, providerId, cursor } = socket.data;
    if (providerId === undefined) return void socket.disconnect(true);
    this.tokens.watch(socket, principal);
    const rooms = [`provider:${providerId}`];
    if (principal.scope.staffId !== null) rooms.push(`staff:${principal.scope.staffId}`);
    await socket.join(rooms);

    const command = (name: 'order:accept' | 'order:decline' | 'order:en_route' | 'order:on_site' | 'order:resolve', toCommand: (body: never) => { orderId: string; cmd: OrderCommand }) => {
      socket.on(name, (raw: unknown, ack?: (r: CommandResult) => void) => {
        const reply = typeof ack === 'function' ? ack : () => undefined;
        const parsed = parseEvent(dispatchClientEventSchemas, name, raw);
        if (!parsed.success) return reply({ ok: false, error: { code: 'invalid_payload', message: parsed.error.message.slice(0, 500) } });
        const { orderId, cmd } = toCommand(parsed.data as never);
        this.service.command(principal, orderId, cmd).then(
          (order) => reply({ ok: true, order }),
          (error: unknown) => reply({ ok: false, error: toError(error) }),
        );
      });
    };
    command('order:accept', (b: { orderId: string; attempt: number }) => ({ orderId: b.orderId, cmd: { type: 'accept', attempt: b.attempt } }));
    command('order:decline', (b: { orderId: string; attempt: number; reason: string }) => ({ orderId: b.orderId, cmd: { type: 'decline', attempt: b.attempt, reason: b.reason } }));
    command('order:en_route', (b: { orderId: string }) => ({ orderId: b.orderId, cmd: { type: 'en_route' } }));
    command('order:on_site', (b: { orderId: string }) => ({ orderId: b.orderId, cmd: { type: 'on_site' } }));
    command('order:resolve', (b: { orderId: string; outcome: 'real_emergency' | 'false_alarm' | 'test' | 'resident_not_home'; notes: string }) => ({
      orderId: b.orderId,
      cmd: { type: 'resolve', outcome: b.outcome, notes: b.notes },
    }));
    // 确认告警 / 解除告警 of the alert behind an order this provider holds.
    const alertCommand = <E extends ConsoleAlertCommand>(name: E, run: (body: EventPayload<typeof dispatchClientEventSchemas, E>) => Promise<AlertView>) => {
      const event: string = name; // the untyped socket: E stays generic in socket.io's listener types
      (socket as unknown as Socket).on(event, (raw: unknown, ack?: (r: AlertCommandResult) => void) => {
        const reply = typeof ack === 'function' ? ack : () => undefined;
        const parsed = parseEvent(dispatchClientEventSchemas, name, raw);
        if (!parsed.success) return reply({ ok: false, error: toError(this.alerts.refusedPayload(name, principal, parsed.error.message)) });
        run(parsed.data).then(
          (alert) => reply({ ok: true, alert }),
          (error: unknown) => reply({ ok: false, error: toError(error) }),
        );
      });
    };
    const address = socket.handshake.address || null;
    alertCommand('alert:acknowledge', (b) => this.alerts.acknowledge(principal, b.orderId, address));
    alertCommand('alert:clear', (b) => this.alerts.clear(principal, b.orderId, b.note, address));
    socket.on('offer:ack', (raw: unknown) => {
      const parsed = parseEvent(dispatchClientEventSchemas, 'offer:ack', raw);
      if (!parsed.success) return;
      void this.service.acknowledge(principal, parsed.data.orderId, parsed.data.attempt, socket.id).catch(() => undefined);
    });
    (socket as unknown as Socket).on('resync', (raw: unknown, ack?: (r: unknown) => void) => {
      const reply = typeof ack === 'function' ? ack : () => undefined;
      const parsed = parseEvent(dispatchClientEventSchemas, 'resync', raw);
      if (!parsed.success) return reply({ ok: false, error: { code: 'invalid_payload', message: parsed.error.message.slice(0, 500) } });
      this.service.resyncProvider(providerId, parsed.data.since).then(
        (resync) => reply({ ok: true, resync }),
        (error: unknown) => reply({ ok: false, error: toError(error) }),
      );
    });
    if (cursor !== undefined) {
      const resync = await this.service.resyncProvider(providerId, cursor);
      const parsed = parseEvent(dispatchServerEventSchemas, 'resync', resync);
      if (parsed.success) socket.emit('resync', parsed.data);
    }
  }

  onApplicationShutdown(): void {
    this.tokens.close();
    this.handshakeRefusals.close();
  }
}

@Injectable()
@WebSocketGateway({ namespace: DISTRICT_NAMESPACE })
export class DistrictGateway implements OnGatewayInit, OnGatewayConnection, OnApplicationShutdown {
  @WebSocketServer() private ns!: Namespace<DistrictClientToServerEvents, DistrictServerToClientEvents, Record<string, never>, SocketData>;
  private readonly tokens: TokenWatch;
  private readonly handshakeRefusals: AggregatedLog;

  constructor(
    private readonly service: DispatchService,
    private readonly guard: AccessGuard,
    auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.tokens = new TokenWatch(auth);
    this.handshakeRefusals = handshakeRefusalLog(logger, config);
  }

  afterInit(): void {
    guardHandshakeOrigin(this.ns.server, this.config.http.allowedOrigins, (origin, reason) => this.handshakeRefusals.record(reason, { origin }));
    this.ns.use((socket, next) => {
      void (async () => {
        const auth = districtHandshakeSchema.safeParse(socket.handshake.auth);
        if (!auth.success) throw new Error('unauthorized: auth must be { token, cursor?, districtCode? }');
        const principal = await authenticate(this.guard, socket.handshake.auth);
        const districtCode =
          principal.role === 'district_officer' ? principal.scope.districtCode : principal.role === 'platform_admin' ? (auth.data.districtCode ?? null) : null;
        if (districtCode === null) throw new Error(`forbidden: ${principal.role} has no district screen (a platform admin passes auth.districtCode)`);
        socket.data = { principal, districtCode, ...(auth.data.cursor !== undefined ? { cursor: auth.data.cursor } : {}) };
      })().then(
        () => next(),
        (error: unknown) => next(error instanceof Error ? error : new Error(String(error))),
      );
    });
    this.service.attachDistricts((districtCode, e: DistrictMissedEvent) => {
      const parsed = parseEvent(districtServerEventSchemas, e.event, e.data);
      if (!parsed.success) throw new Error(`refusing to emit an invalid district ${e.event}: ${parsed.error.message}`);
      (this.ns.to(`district:${districtCode}`).emit as (ev: string, data: unknown) => boolean)(e.event, parsed.data);
    });
  }

  async handleConnection(socket: DistrictSocket): Promise<void> {
    const { principal, districtCode, cursor } = socket.data;
    if (districtCode === undefined) return void socket.disconnect(true);
    this.tokens.watch(socket, principal);
    await socket.join(`district:${districtCode}`);
    (socket as unknown as Socket).on('resync', (raw: unknown, ack?: (r: unknown) => void) => {
      const reply = typeof ack === 'function' ? ack : () => undefined;
      const parsed = parseEvent(districtClientEventSchemas, 'resync', raw);
      if (!parsed.success) return reply({ ok: false, error: { code: 'invalid_payload', message: parsed.error.message.slice(0, 500) } });
      this.service.resyncDistrict(districtCode, parsed.data.since).then(
        (resync) => reply({ ok: true, resync }),
        (error: unknown) => reply({ ok: false, error: toError(error) }),
      );
    });
    if (cursor !== undefined) {
      const parsed = parseEvent(districtServerEventSchemas, 'resync', await this.service.resyncDistrict(districtCode, cursor));
      if (parsed.success) socket.emit('resync', parsed.data);
    }
  }

  onApplicationShutdown(): void {
    this.tokens.close();
    this.handshakeRefusals.close();
  }
}
