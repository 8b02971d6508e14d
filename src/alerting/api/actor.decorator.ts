import { BadRequestException, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { actorHeaderSchema } from './alerting.schemas.js';

/**
 * Who is acting, from the `x-anxin-actor` header (default `admin`): recorded
 * on acknowledgements, clears, care-plan and settings audits and snoozes.
 * Accounts and roles come with dispatch.
 */
export const Actor = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const header = context.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>().headers['x-anxin-actor'];
  const result = actorHeaderSchema.safeParse(Array.isArray(header) ? header[0] : header);
  if (!result.success) {
    throw new BadRequestException({ error: 'invalid headers', issues: result.error.issues.map((i) => ({ path: 'headers.x-anxin-actor', message: i.message })) });
  }
  return result.data;
});
