/**
 * Login and REST calls of the web apps, against the same origin that serves
 * them. The token (POST /api/auth/login) is kept in sessionStorage so a reload
 * keeps the operator logged in, and is the socket.io handshake `auth.token`.
 */
import { z } from 'zod';

export const accountSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: z.enum(['platform_admin', 'district_officer', 'provider_dispatcher', 'caregiver']),
  districtCode: z.string().nullable(),
  providerId: z.string().nullable(),
  staffId: z.string().nullable(),
});
export type Account = z.infer<typeof accountSchema>;

export const sessionSchema = z.object({ token: z.string().min(1), expiresAt: z.number(), account: accountSchema });
export type Session = z.infer<typeof sessionSchema>;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function loadSession(key: string): Session | null {
  const raw = sessionStorage.getItem(key);
  if (raw === null) return null;
  try {
    const session = sessionSchema.parse(JSON.parse(raw));
    return session.expiresAt > Date.now() ? session : null;
  } catch {
    return null;
  }
}

export function saveSession(key: string, session: Session | null): void {
  if (session === null) sessionStorage.removeItem(key);
  else sessionStorage.setItem(key, JSON.stringify(session));
}

/** GET/POST JSON on the platform origin with the bearer token; parses the answer with `schema`. */
export async function apiJson<T>(path: string, schema: z.ZodType<T>, token: string | null, init: RequestInit = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const res = await fetch(path, { ...init, headers });
  if (!res.ok) {
    let message = `HTTP ${res.status}`;
    try {
      const body = (await res.json()) as { error?: unknown; message?: unknown };
      if (typeof body.error === 'string') message = body.error;
      else if (typeof body.message === 'string') message = body.message;
    } catch {
      // not JSON: keep the status
    }
    throw new ApiError(res.status, message);
  }
  return schema.parse(await res.json());
}

export async function login(username: string, password: string): Promise<Session> {
  return apiJson('/api/auth/login', sessionSchema, null, { method: 'POST', body: JSON.stringify({ username, password }) });
}

/** Street and district names (public geography, no personal data). */
export const streetsSchema = z.object({ items: z.array(z.object({ code: z.string(), districtCode: z.string(), name: z.string(), lat: z.number(), lon: z.number() })) });
export type Street = z.infer<typeof streetsSchema>['items'][number];
export const districtsSchema = z.object({ items: z.array(z.object({ code: z.string(), name: z.string() })) });

/** "3 分 05 秒" style durations for KPIs; "—" when unknown. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} 秒`;
  const m = Math.floor(s / 60);
  return `${m} 分 ${String(s % 60).padStart(2, '0')} 秒`;
}

/** mm:ss countdown; negative values are overdue and shown with a leading "+". */
export function formatCountdown(ms: number): string {
  const overdue = ms < 0;
  const s = Math.floor(Math.abs(ms) / 1000);
  const text = `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  return overdue ? `+${text}` : text;
}

export function formatPercent(rate: number | null | undefined, digits = 1): string {
  return rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(digits)}%`;
}

export function formatClock(ms: number): string {
  return new Date(ms).toLocaleTimeString('zh-CN', { hour12: false, timeZone: 'Asia/Shanghai' });
}
