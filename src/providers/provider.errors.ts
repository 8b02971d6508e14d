/** Errors of the provider registry's commands, mapped to HTTP by the controllers. */
import type { AccessDecision } from '../domain/access/access-policy.js';

export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

/** The principal's role or scope does not reach the resource (403). */
export class AccessDeniedError extends Error {
  override readonly name = 'AccessDeniedError';
  constructor(
    readonly reason: Exclude<AccessDecision, { allowed: true }>['reason'] | 'role',
    message = 'outside your scope',
  ) {
    super(message);
  }
}
