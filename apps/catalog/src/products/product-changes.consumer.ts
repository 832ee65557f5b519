import { Injectable } from '@nestjs/common';
import { ProductUpdated } from '@sdp/contracts';
import { ConsumeEvents, type ConsumedEvent } from '@sdp/messaging';
import { consumerGroups } from '@sdp/topology';
import { EdgeRefresher } from '../edge/edge-refresh';
import { ProductsService } from './products.service';

/**
 * Invalidation driven by product.updated (relayed from the outbox once the change is in Postgres):
 * first the Redis entry is set to the committed row, then the edge refetches through the public
 * path. In that order the edge cannot copy an old entry from Redis, even when the relay publishes
 * before the writing request has dropped its cached copy.
 */
@Injectable()
export class ProductChangesConsumer {
  constructor(
    private readonly products: ProductsService,
    private readonly edge: EdgeRefresher,
  ) {}

  /** One group for all replicas: the Redis cache and the edge are shared, so one replica per change is enough. */
  @ConsumeEvents({ group: consumerGroups.catalog.productChanges, events: [ProductUpdated] })
  async handle(event: ConsumedEvent<typeof ProductUpdated>): Promise<void> {
    const { id } = event.data;
    await this.products.reloadCached(id);
    await this.edge.refreshProduct(id, event.requestId);
  }
}
