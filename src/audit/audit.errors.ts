/**
 * A sensitive read whose audit entry could not be written. The read is not
 * served (fail closed): src/api/api-errors.filter.ts answers 503, so the
 * client retries later instead of receiving unaudited personal data.
 */
export class AuditUnavailableError extends Error {
  override readonly name = 'AuditUnavailableError';
}
