/**
 * The audit trail as CSV (RFC 4180), for an inspector's spreadsheet. No CSV
 * library is among the platform's dependencies and the format needs only
 * the escaping below, so it is written here, pure.
 *
 * - RFC 4180 §2: records end in CRLF; a field holding a comma, a double
 *   quote, CR or LF is enclosed in double quotes and its quotes doubled.
 * - CSV injection (OWASP): a spreadsheet runs a cell that starts with
 *   `=`, `+`, `-`, `@`, TAB or CR as a formula. Such a cell gets a leading
 *   `'`, so a username or address like `=HYPERLINK(…)` stays text.
 * - A UTF-8 byte-order mark leads the file: without it Excel reads UTF-8 as
 *   the local code page and 中文 names come out garbled.
 *
 * @example
 * renderAuditCsv([entry]) // '\uFEFFid,at,action,…\r\n42,2026-03-02T00:00:00.000Z,resident.card.read,…\r\n'
 */
import type { AuditEntry } from './audit-entry.schema.js';

export const AUDIT_CSV_COLUMNS = ['id', 'at', 'action', 'actorId', 'actorName', 'role', 'residentId', 'districtCode', 'targetKind', 'targetId', 'purpose', 'address', 'detail'] as const;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One CSV field: formula-guarded, then quoted when RFC 4180 requires it. */
export function escapeCsvField(value: string): string {
  const guarded = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(guarded) ? `"${guarded.replaceAll('"', '""')}"` : guarded;
}

function cells(entry: AuditEntry): string[] {
  return [
    String(entry.id),
    new Date(entry.at).toISOString(),
    entry.action,
    entry.actorId,
    entry.actorName,
    entry.role,
    entry.residentId ?? '',
    entry.districtCode ?? '',
    entry.targetKind,
    entry.targetId ?? '',
    entry.purpose ?? '',
    entry.address ?? '',
    Object.keys(entry.detail).length === 0 ? '' : JSON.stringify(entry.detail),
  ];
}

export function renderAuditCsvRow(entry: AuditEntry): string {
  return `${cells(entry).map(escapeCsvField).join(',')}\r\n`;
}

export function renderAuditCsv(entries: Iterable<AuditEntry>): string {
  let out = `\uFEFF${AUDIT_CSV_COLUMNS.join(',')}\r\n`;
  for (const entry of entries) out += renderAuditCsvRow(entry);
  return out;
}
