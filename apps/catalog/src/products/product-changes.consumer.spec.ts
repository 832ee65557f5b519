import { ProductUpdated } from '@sdp/contracts';
import { NonRetryableError, type Consumers } from '@sdp/messaging';
import type { EdgeRefresher } from '../edge/edge-refresh';
import { PRODUCT_CHANGES_GROUP, ProductChangesConsumer } from './product-changes.consumer';
import type { ProductsService } from './products.service';

// The order of the two steps is the point: Redis first, then the edge that reads through it.
describe(ProductChangesConsumer.name, () => {
  const steps: string[] = [];
  const declared: { groupId: string; topics: string[] }[] = [];
  const consumers = { declare: (options: { groupId: string; topics: string[] }) => declared.push(options) };
  const products = { reloadCached: async (id: number) => void steps.push(`redis ${id}`) };
  const edge = {
    refreshProduct: async (id: number, requestId?: string) => void steps.push(`edge ${id} ${requestId}`),
  };
  const consumer = new ProductChangesConsumer(
    consumers as unknown as Consumers,
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
    consumer.onModuleInit();
    expect(declared).toEqual([
      expect.objectContaining({ groupId: PRODUCT_CHANGES_GROUP, topics: ['product.updated'] }),
    ]);
  });

  it('reloads the Redis entry before the edge refetches it', async () => {
    await consumer.handle(event);
    expect(steps).toEqual(['redis 7', 'edge 7 rid-7']);
  });

  it('does not refresh the edge when Redis fails (the consumer retries the event)', async () => {
    const failing = new ProductChangesConsumer(
      consumers as unknown as Consumers,
      { reloadCached: () => Promise.reject(new Error('redis down')) } as unknown as ProductsService,
      edge as unknown as EdgeRefresher,
    );
    await expect(failing.handle(event)).rejects.toThrow('redis down');
    expect(steps).toEqual([]);
  });

  it('sends a malformed event to the DLQ', async () => {
    await expect(consumer.handle({ ...event, data: { id: 'x' } })).rejects.toBeInstanceOf(NonRetryableError);
    expect(steps).toEqual([]);
  });
});
