import { Injectable, OnModuleInit } from '@nestjs/common';
import { ProductUpdated } from '@sdp/contracts';
import { Consumers, NonRetryableError, type EventEnvelope } from '@sdp/messaging';
import { EdgeRefresher } from '../edge/edge-refresh';
import { ProductsService } from './products.service';

/** One group for all replicas: the Redis cache and the edge are shared, so one replica per change is enough. */
export const PRODUCT_CHANGES_GROUP = 'catalog-product-changes';

/**
 * Invalidation driven by product.updated (relayed from the outbox once the change is in Postgres):
 * first the Redis entry is set to the committed row, then the edge refetches through the public
 * path. In that order the edge cannot copy an old entry from Redis, even when the relay publishes
 * before the writing request has dropped its cached copy.
 */
@Injectable()
export class ProductChangesConsumer implements OnModuleInit {
  constructor(
    private readonly consumers: Consumers,
    private readonly products: ProductsService,
    private readonly edge: EdgeRefresher,
  ) {}

  onModuleInit(): void {
    this.consumers.declare({
      groupId: PRODUCT_CHANGES_GROUP,
      topics: [ProductUpdated.type],
      handler: (envelope) => this.handle(envelope),
    });
  }

  async handle(envelope: EventEnvelope): Promise<void> {
    const parsed = ProductUpdated.parse(envelope);
    if (!parsed.ok) throw new NonRetryableError(parsed.reason);
    const { id } = parsed.envelope.data;
    await this.products.reloadCached(id);
    await this.edge.refreshProduct(id, envelope.requestId);
  }
}
