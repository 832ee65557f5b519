import { ProductUpdated } from '@sdp/contracts';
import { declaredHandlers, deliverTo, NonRetryableError } from '@sdp/messaging';
import { consumerGroups } from '@sdp/topology';
import type { EdgeRefresher } from '../edge/edge-refresh';
import { ProductChangesConsumer } from './product-changes.consumer';
import type { ProductsService } from './products.service';

// The order of the two steps is the point: Redis first, then the edge that reads through it.
describe(ProductChangesConsumer.name, () => {
  const steps: string[] = [];
  const products = { reloadCached: async (id: number) => void steps.push(`redis ${id}`) };
  const edge = {
    refreshProduct: async (id: number, requestId?: string) => void steps.push(`edge ${id} ${requestId}`),
  };
  const consumer = new ProductChangesConsumer(
    products as unknown as ProductsService,
    edge as unknown as EdgeRefresher,
  );
  const event = ProductUpdated.create(
    '7',
    {
      id: 7,
      sku: 'SKU-000007',
      name: 'n',
      description: 'd',
      priceCents: 100,
      changed: ['priceCents'],
      updatedAt: new Date().toISOString(),
    },
    'rid-7',
  );

  beforeEach(() => (steps.length = 0));

  it('declares one group for every replica on product.updated', () => {
    expect(declaredHandlers(ProductChangesConsumer)).toEqual([
      { method: 'handle', group: consumerGroups.catalog.productChanges, events: ['product.updated'] },
    ]);
  });

  it('reloads the Redis entry before the edge refetches it', async () => {
    await deliverTo(consumer, event);
    expect(steps).toEqual(['redis 7', 'edge 7 rid-7']);
  });

  it('does not refresh the edge when Redis fails (the consumer retries the event)', async () => {
    const failing = new ProductChangesConsumer(
      { reloadCached: () => Promise.reject(new Error('redis down')) } as unknown as ProductsService,
      edge as unknown as EdgeRefresher,
    );
    await expect(deliverTo(failing, event)).rejects.toThrow('redis down');
    expect(steps).toEqual([]);
  });

  it('sends a malformed event to the DLQ', async () => {
    await expect(deliverTo(consumer, { ...event, data: { id: 'x' } })).rejects.toBeInstanceOf(
      NonRetryableError,
    );
    expect(steps).toEqual([]);
  });
});
