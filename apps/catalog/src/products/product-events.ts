import { ProductUpdated } from '@sdp/contracts';
import { appendToOutbox } from '@sdp/outbox';
import type { EntityManager } from 'typeorm';
import { productChangeFields, type UpdateProductDto } from './dto/update-product.dto';
import type { ProductView } from './dto/product.view';

export type ProductUpdatedRow = Pick<
  ProductView,
  'id' | 'sku' | 'name' | 'description' | 'priceCents' | 'updatedAt'
>;

/** The product.updated event for a change: the row as committed, and the fields the change set. */
export const productUpdatedEvent = (
  product: ProductUpdatedRow,
  changes: UpdateProductDto,
  requestId: string,
) =>
  ProductUpdated.create(
    String(product.id),
    {
      id: product.id,
      sku: product.sku,
      name: product.name,
      description: product.description,
      priceCents: product.priceCents,
      changed: productChangeFields.filter((field) => changes[field] !== undefined),
      updatedAt: product.updatedAt,
    },
    requestId,
  );

/**
 * Records product.updated in the outbox inside the transaction that changed the row: the event exists
 * if and only if the change committed, and the relay publishes it later (at least once), so Kafka
 * being down at that moment delays the event instead of losing it.
 */
export async function recordProductUpdated(
  manager: EntityManager,
  schema: string,
  product: ProductUpdatedRow,
  changes: UpdateProductDto,
  requestId: string,
): Promise<void> {
  await appendToOutbox(
    manager,
    schema,
    ProductUpdated.type,
    productUpdatedEvent(product, changes, requestId),
  );
}
