import { z } from 'zod';
import { OPERATOR_ALERT_KINDS } from '../../domain/operator-alerts/operator-alert.js';

export const operatorAlertQuerySchema = z
  .object({
    kind: z.enum(OPERATOR_ALERT_KINDS).optional(),
    subject: z.string().min(1).max(128).optional(),
    since: z.coerce.number().int().nonnegative().optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
    cursor: z.string().regex(/^\d{1,16}:[\w-]{1,64}$/, 'cursor is the nextCursor of a previous page').optional(),
  })
  .strict();

export const operatorAlertSchema = z.object({
  id: z.string(),
  kind: z.enum(OPERATOR_ALERT_KINDS),
  subject: z.string(),
  raisedAt: z.number().int(),
  detail: z.record(z.string(), z.unknown()),
});

export const operatorAlertPageSchema = z.object({ items: z.array(operatorAlertSchema), nextCursor: z.string().nullable() });
