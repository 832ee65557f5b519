import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, type SelectQueryBuilder } from 'typeorm';
import { CATALOG_CONFIG, type CatalogConfig } from '../config';
import type { ListProductsQuery, ProductSort } from './dto/list-products.query';
import type { ProductView } from './dto/product.view';
import type { UpdateProductDto } from './dto/update-product.dto';
import { Product } from './product.entity';
import { recordProductUpdated } from './product-events';

const orderBy: Record<ProductSort, [string, 'ASC' | 'DESC']> = {
  name: ['product.name', 'ASC'],
  price: ['product.priceCents', 'ASC'],
  '-price': ['product.priceCents', 'DESC'],
  newest: ['product.createdAt', 'DESC'],
};

export function toView(product: Product): ProductView {
  return {
    id: product.id,
    sku: product.sku,
    name: product.name,
    description: product.description,
    priceCents: product.priceCents,
    category: { slug: product.category.slug, name: product.category.name },
    imagePath: product.imagePath,
    updatedAt: product.updatedAt.toISOString(),
  };
}

@Injectable()
export class ProductsRepository {
  private readonly schema: string;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(CATALOG_CONFIG) config: CatalogConfig,
  ) {
    this.schema = config.DB_SCHEMA;
  }

  private query(): SelectQueryBuilder<Product> {
    return this.dataSource
      .getRepository(Product)
      .createQueryBuilder('product')
      .innerJoinAndSelect('product.category', 'category');
  }

  async findById(id: number): Promise<ProductView | null> {
    const product = await this.query().where('product.id = :id', { id }).getOne();
    return product ? toView(product) : null;
  }

  async findBySkus(skus: string[]): Promise<ProductView[]> {
    if (skus.length === 0) return [];
    const products = await this.query().where('product.sku IN (:...skus)', { skus }).getMany();
    return products.map(toView);
  }

  async list(query: ListProductsQuery): Promise<{ items: ProductView[]; total: number }> {
    const [column, direction] = orderBy[query.sort];
    const builder = this.query()
      .orderBy(column, direction)
      .addOrderBy('product.id', direction)
      .skip((query.page - 1) * query.limit)
      .take(query.limit);
    if (query.category) builder.andWhere('category.slug = :slug', { slug: query.category });
    if (query.skus) builder.andWhere('product.sku IN (:...skus)', { skus: query.skus });
    if (query.q) builder.andWhere('product.name ILIKE :q', { q: `%${escapeLike(query.q)}%` });
    const [products, total] = await builder.getManyAndCount();
    return { items: products.map(toView), total };
  }

  /**
   * Applies the changes and records product.updated in the same transaction; returns the product as
   * it is now, or null if unknown (then nothing is written, no event either).
   */
  async update(id: number, changes: UpdateProductDto, requestId: string): Promise<ProductView | null> {
    return this.dataSource.transaction((manager) =>
      updateAndRecord(manager, this.schema, id, changes, requestId),
    );
  }
}

/**
 * One product change inside the caller's transaction: the UPDATE, then product.updated (with the row
 * as it is now) in the outbox. Returns that row, or null when the id is unknown (nothing written).
 */
async function updateAndRecord(
  manager: EntityManager,
  schema: string,
  id: number,
  changes: UpdateProductDto,
  requestId: string,
): Promise<ProductView | null> {
  const result = await manager
    .createQueryBuilder()
    .update(Product)
    .set({ ...changes, updatedAt: () => 'now()' })
    .where('id = :id', { id })
    .execute();
  if (!result.affected) return null;
  const product = await manager
    .getRepository(Product)
    .createQueryBuilder('product')
    .innerJoinAndSelect('product.category', 'category')
    .where('product.id = :id', { id })
    .getOneOrFail();
  const view = toView(product);
  await recordProductUpdated(manager, schema, view, changes, requestId);
  return view;
}

/**
 * Applies a batch of write-back changes in one transaction (ids that no longer exist are skipped),
 * recording one product.updated per applied product in that same transaction, so the event announces
 * a change that is durable in Postgres, not one still only in Redis. `beforeCommit` may throw to roll
 * the batch back. Returns the ids it applied.
 */
export async function applyProductChanges(
  dataSource: DataSource,
  schema: string,
  batch: { id: number; changes: UpdateProductDto }[],
  requestId: string,
  beforeCommit: () => Promise<void> = () => Promise.resolve(),
): Promise<number[]> {
  return dataSource.transaction(async (manager) => {
    const applied: number[] = [];
    for (const { id, changes } of batch) {
      if (await updateAndRecord(manager, schema, id, changes, requestId)) applied.push(id);
    }
    await beforeCommit();
    return applied;
  });
}

/** Adds view counts taken from Redis to product_stats (one upsert for the whole batch). */
export async function addProductViews(
  dataSource: DataSource,
  schema: string,
  views: Map<number, number>,
): Promise<void> {
  if (views.size === 0) return;
  const ids = [...views.keys()];
  const counts = ids.map((id) => views.get(id)!);
  await dataSource.query(
    `INSERT INTO "${schema}".product_stats (product_id, views)
     SELECT v.id, v.n FROM unnest($1::int[], $2::bigint[]) AS v(id, n)
     JOIN "${schema}".products p ON p.id = v.id
     ON CONFLICT (product_id) DO UPDATE
       SET views = product_stats.views + EXCLUDED.views, updated_at = now()`,
    [ids, counts],
  );
}

/** Adds units sold (by SKU) taken from Redis to product_stats (one upsert for the whole batch). */
export async function addProductSold(
  dataSource: DataSource,
  schema: string,
  sold: Map<string, number>,
): Promise<void> {
  if (sold.size === 0) return;
  const skus = [...sold.keys()];
  await dataSource.query(
    `INSERT INTO "${schema}".product_stats (product_id, sold)
     SELECT p.id, v.n FROM unnest($1::text[], $2::bigint[]) AS v(sku, n)
     JOIN "${schema}".products p ON p.sku = v.sku
     ON CONFLICT (product_id) DO UPDATE
       SET sold = product_stats.sold + EXCLUDED.sold, updated_at = now()`,
    [skus, skus.map((sku) => sold.get(sku)!)],
  );
}

const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);
