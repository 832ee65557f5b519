import { z } from 'zod';
import { sku } from '../events';
import { listOf, pageOf } from './errors';

// The catalog's public routes (/api/products, /api/admin/products, /api/me/recently-viewed, ...).

export const productId = z.int().min(1).max(2_147_483_647);

export const product = z
  .object({
    id: productId,
    sku,
    name: z.string(),
    description: z.string(),
    priceCents: z.int().nonnegative(),
    category: z.object({ slug: z.string(), name: z.string() }),
    imagePath: z.string(),
    updatedAt: z.iso.datetime({ offset: true }),
    available: z
      .int()
      .optional()
      .describe("Units available (inventory's stock.changed); absent until inventory reported the SKU"),
  })
  .meta({ id: 'Product' });
export type Product = z.infer<typeof product>;

export const productPage = pageOf(product).meta({ id: 'ProductPage' });
export type ProductPage = z.infer<typeof productPage>;

export const productSorts = ['name', 'price', '-price', 'newest'] as const;

/** GET /api/products */
export const listProductsQuery = z.object({
  page: z.int().min(1).max(10_000).optional(),
  limit: z.int().min(1).max(100).optional(),
  category: z.string().describe('category slug').optional(),
  q: z.string().describe('search text').optional(),
  sort: z.enum(productSorts).optional(),
  skus: z.string().describe('comma-separated SKUs').optional(),
});

/** GET /api/products/top */
export const topProductsQuery = z.object({
  n: z.int().min(1).max(50).optional(),
  window: z.enum(['all', 'hour']).optional(),
});

export const topProducts = z
  .object({
    window: z.enum(['all', 'hour']),
    items: z.array(z.object({ rank: z.int(), sku, sold: z.int(), product: product.nullable() })),
  })
  .meta({ id: 'TopProducts' });
export type TopProducts = z.infer<typeof topProducts>;

/** PUT /api/admin/products/:id: at least one field. */
export const productChange = z
  .strictObject({
    name: z.string().max(200).optional(),
    description: z.string().max(2_000).optional(),
    priceCents: z.int().min(1).max(100_000_000).optional(),
  })
  .refine((change) => Object.keys(change).length > 0, 'change at least one field')
  .meta({ id: 'ProductChange', minProperties: 1 });
export type ProductChange = z.infer<typeof productChange>;

export const recentlyViewed = listOf(product);
export const recordViewRequest = z.object({ productId });

export const writeStrategies = ['write-around', 'write-through', 'write-back'] as const;
export const writeStrategyRequest = z.object({ strategy: z.enum(writeStrategies) });
export const writeStrategyResult = z.object({ strategy: z.enum(writeStrategies) });
