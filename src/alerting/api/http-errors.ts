/**
 * Maps alerting's domain errors to HTTP. The domain throws its own errors
 * (STYLE.md §2: no Nest exceptions below the controllers); only here do
 * they become status codes.
 */
import { BadRequestException, ConflictException, HttpException, NotFoundException } from '@nestjs/common';
import { ZodError } from 'zod';
import { AlertCommandError } from '../../domain/alerts/alert-book.js';
import { CarePlanChangeError } from '../../domain/care-plans/care-plan.schema.js';
import { VersionConflictError } from '../care-plan.repository.js';
import { ResidentNotFoundError } from '../care-plan.service.js';

export function toHttpError(error: unknown): unknown {
  if (error instanceof HttpException) return error;
  if (error instanceof AlertCommandError) {
    return error.code === 'not_found'
      ? new NotFoundException({ error: `alert "${error.alertId}" does not exist` })
      : new ConflictException({ error: `alert "${error.alertId}" is already cleared` });
  }
  if (error instanceof ResidentNotFoundError) return new NotFoundException({ error: error.message });
  if (error instanceof VersionConflictError) return new ConflictException({ error: error.message });
  if (error instanceof CarePlanChangeError) return new BadRequestException({ error: 'invalid body', issues: error.issues.map((message) => ({ path: 'body.suspensions', message })) });
  if (error instanceof ZodError) {
    return new BadRequestException({ error: 'invalid body', issues: error.issues.map((i) => ({ path: ['body', ...i.path.map(String)].join('.'), message: i.message })) });
  }
  return error;
}

/** Runs a service call and rethrows domain errors as HTTP errors. */
export async function mapErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toHttpError(error);
  }
}
