/**
 * Maps account and provider domain errors to HTTP (STYLE.md §2: services
 * throw their own errors; only controllers speak HTTP).
 */
import { BadRequestException, ConflictException, ForbiddenException, HttpException, HttpStatus, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { AccessDeniedError, NotFoundError } from '../../providers/provider.errors.js';
import { AccountError, LoginError, TokenError } from '../auth.errors.js';

export class TooManyRequestsException extends HttpException {
  constructor(body: object) {
    super(body, HttpStatus.TOO_MANY_REQUESTS);
  }
}

export function toHttpError(error: unknown, now: number): unknown {
  if (error instanceof HttpException) return error;
  if (error instanceof LoginError) {
    if (error.code === 'throttled') {
      return new TooManyRequestsException({ error: error.message, retryAfterSeconds: Math.max(1, Math.ceil(((error.retryAt ?? now) - now) / 1000)) });
    }
    return new UnauthorizedException({ error: error.message });
  }
  if (error instanceof TokenError) return new UnauthorizedException({ error: error.message, code: error.code });
  if (error instanceof AccountError) {
    switch (error.code) {
      case 'invalid_scope':
        return new BadRequestException({ error: 'invalid body', issues: [{ path: 'body', message: error.message }] });
      case 'not_found':
        return new NotFoundException({ error: error.message });
      case 'username_taken':
        return new ConflictException({ error: error.message });
    }
  }
  if (error instanceof AccessDeniedError) return new ForbiddenException({ error: error.message, reason: error.reason });
  if (error instanceof NotFoundError) return new NotFoundException({ error: error.message });
  return error;
}

/** The seconds of a 429 answer (its body's `retryAfterSeconds`), for the Retry-After header. */
export function retryAfterSeconds(error: unknown): number | undefined {
  if (!(error instanceof TooManyRequestsException)) return undefined;
  const body = error.getResponse() as { retryAfterSeconds?: unknown };
  return typeof body.retryAfterSeconds === 'number' ? body.retryAfterSeconds : undefined;
}

/** Runs a service call and rethrows domain errors as HTTP errors. */
export async function mapErrors<T>(now: () => number, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toHttpError(error, now());
  }
}
