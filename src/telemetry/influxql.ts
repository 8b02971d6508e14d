/**
 * Quoting for InfluxQL. A device id or a field name in a query comes from a
 * user, so every identifier is double-quoted and every string single-quoted
 * with the escapes the InfluxQL scanner understands (influxql/scanner.go
 * `ScanString`: `\\`, `\'`, `\"` and `\n`; a raw newline ends the token).
 */

/** `"name"`: measurement, field and tag keys. */
export function quoteIdent(name: string): string {
  return `"${escapeQuoted(name, '"')}"`;
}

/** `'value'`: tag values and other string literals. */
export function quoteLiteral(value: string): string {
  return `'${escapeQuoted(value, "'")}'`;
}

function escapeQuoted(text: string, quote: '"' | "'"): string {
  let out = '';
  for (const ch of text) {
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else out += ch;
  }
  return out;
}

/** Epoch ms as an InfluxQL time literal. */
export function msLiteral(ms: number): string {
  if (!Number.isSafeInteger(ms)) throw new RangeError(`epoch ms must be an integer: ${ms}`);
  return `${ms}ms`;
}
