import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { Counter, type Registry } from 'prom-client';

/**
 * Counts every refused API request by status (400 invalid input, 401 wrong
 * or missing token, 403 out of scope, 404, 409) so bad input is visible in
 * metrics, then answers as Nest would.
 */
@Catch()
export class ApiErrorsFilter extends BaseExceptionFilter implements ExceptionFilter {
  private readonly refused: Counter<'status'>;

  constructor(registry: Registry) {
    super();
    this.refused = new Counter({ name: 'anxin_api_refused_total', help: 'API requests refused, by HTTP status', labelNames: ['status'], registers: [registry] });
  }

  override catch(exception: unknown, host: ArgumentsHost): void {
    if (exception instanceof HttpException) this.refused.inc({ status: String(exception.getStatus()) });
    super.catch(exception, host);
  }
}
