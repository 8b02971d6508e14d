/**
 * Why a telemetry store refused or failed an operation, and whether trying
 * the same call again can succeed. The durable outbox keys on `retryable`:
 * retry later (server down, timeout, 5xx, 429, database missing) or set the
 * batch aside (a line the server will never accept: HTTP 400, field type
 * conflict, NaN).
 *
 * @example
 *   try { await store.write(batch) }
 *   catch (err) { if (err instanceof TelemetryStoreError && !err.retryable) quarantine(batch); else throw err }
 */
export class TelemetryStoreError extends Error {
  override readonly name = 'TelemetryStoreError';

  constructor(
    message: string,
    /** True when the same call may succeed later. */
    readonly retryable: boolean,
    /** HTTP status when the server answered; undefined for connection errors and local refusals. */
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
