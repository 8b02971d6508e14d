import { Catch, HttpException, ServiceUnavailableException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { Counter, type Registry } from 'prom-client';
import { AuditUnavailableError } from '../audit/audit.errors.js';

/**
 * Counts every refused API request by status (400 invalid input, 401 wrong
 * or missing token, 403 out of scope, 404, 409, 503 audit trail unavailable)
 * so bad input is visible in metrics, then answers as Nest would.
 *
 * A sensitive read whose audit entry could not be written answers 503 with
 * Retry-After: the data is not served unaudited (src/audit).
 */
@Catch()
export class ApiErrorsFilter extends BaseExceptionFilter implements ExceptionFilter {
  private readonly refused: Counter<'status'>;

  constructor(registry: Registry) {
    super();
    this.refused = new Counter({ name: 'anxin_api_refused_total', help: 'API requests refused, by HTTP status', labelNames: ['status'], registers: [registry] });
  }

  override catch(error: unknown, host: ArgumentsHost): void {
    let exception = error;
    if (error instanceof AuditUnavailableError) {
      exception = new ServiceUnavailableException({ error: 'the audit trail is unavailable: personal data is not served unaudited; retry later' });
      host.switchToHttp().getResponse<{ setHeader(name: string, value: string): void }>().setHeader('retry-after', '30');
    }
    if (exception instanceof HttpException) this.refused.inc({ status: String(exception.getStatus()) });
    super.catch(exception, host);
  }
}
