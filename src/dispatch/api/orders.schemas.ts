/** REST bodies and queries for work orders and KPIs (the same commands the consoles send over socket.io). */
import { z } from 'zod';
import { orderUpdateSchema } from '../../contracts/dispatch.contracts.js';
import { workOrderSnapshotSchema, workOrderStateSchema, resolutionOutcomeSchema } from '../../domain/dispatch/work-order.schema.js';

export const orderIdParamsSchema = z.object({ id: z.string().min(1).max(64) });
export const acceptBodySchema = z.object({ attempt: z.number().int().positive() });
export const declineBodySchema = z.object({ attempt: z.number().int().positive(), reason: z.string().min(1).max(200) });
export const emptyBodySchema = z.object({}).optional();
export const resolveBodySchema = z.object({ outcome: resolutionOutcomeSchema, notes: z.string().max(2000).default('') });
export const listOrdersQuerySchema = z.object({
  state: workOrderStateSchema.optional(),
  provider: z.string().min(1).max(64).optional(),
  district: z.string().min(1).max(32).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export const kpisQuerySchema = z.object({ districtCode: z.string().min(1).max(32) });

/** GET /api/orders: the orders in the caller's scope, newest first. */
export const orderListSchema = z.object({ items: z.array(workOrderSnapshotSchema) });
/** POST /api/orders/:id/…: the order:update the command produced (null when it changed nothing). */
export const orderCommandResultSchema = z.object({ order: orderUpdateSchema.nullable() });
