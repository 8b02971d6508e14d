/**
 * Keyset paging on the primary key: stable under inserts, cheap on both
 * SQLite and PostgreSQL (no OFFSET scans).
 *
 * @example
 * let page = await repo.list({ limit: 100 });
 * while (page.nextCursor !== null) page = await repo.list({ limit: 100, cursor: page.nextCursor });
 */
export interface PageRequest {
  /** 1–500, default 50. */
  readonly limit?: number;
  /** `nextCursor` of the previous page; absent for the first page. */
  readonly cursor?: string;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

export function clampPageSize(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_PAGE_SIZE;
  return Math.min(MAX_PAGE_SIZE, Math.max(1, Math.trunc(limit)));
}

/** Rows were fetched with limit + 1: the extra row tells whether another page exists. */
export function toPage<R, T>(rows: readonly R[], limit: number, keyOf: (row: R) => string, map: (row: R) => T): Page<T> {
  const pageRows = rows.slice(0, limit);
  const last = pageRows[pageRows.length - 1];
  return {
    items: pageRows.map(map),
    nextCursor: rows.length > limit && last !== undefined ? keyOf(last) : null,
  };
}
