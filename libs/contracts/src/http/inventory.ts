import { z } from 'zod';
import { sku } from '../events';

// Inventory's public routes (/api/stock, /api/admin/stock, /api/admin/sweeper/run). The orders →
// inventory reservation call is in ../inventory-api.ts.

export const skuParam = sku.describe('e.g. SKU-000001');

export const stock = z
  .object({
    sku,
    onHand: z.int(),
    reserved: z.int(),
    sold: z.int(),
    available: z.int(),
  })
  .meta({ id: 'Stock' });
export type Stock = z.infer<typeof stock>;

export const MAX_ON_HAND = 1_000_000;
export const setStockRequest = z.object({ onHand: z.int().min(0).max(MAX_ON_HAND) });

export const sweepResult = z.object({
  ran: z.boolean(),
  instanceId: z.string(),
  released: z.int(),
  reason: z.enum(['busy', 'unavailable']).optional(),
});
