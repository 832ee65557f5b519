import { Module } from '@nestjs/common';
import { AvailabilityController } from '../availability/availability.controller';
import { AvailabilityService } from '../availability/availability.service';
import { EdgeRefreshModule } from '../edge/edge-refresh';
import { AdminCacheController } from './admin-cache.controller';
import { CacheMetrics } from './cache-metrics';
import { ProductChangesConsumer } from './product-changes.consumer';
import { ProductsController } from './products.controller';
import { ProductsRepository } from './products.repository';
import { ProductsService } from './products.service';
import { WriteBackFlusher } from './write-back.flusher';

@Module({
  imports: [EdgeRefreshModule],
  // AvailabilityController first: /products/in-stock is a path of its own, not a product id.
  controllers: [AvailabilityController, ProductsController, AdminCacheController],
  providers: [
    ProductsService,
    ProductsRepository,
    WriteBackFlusher,
    CacheMetrics,
    AvailabilityService,
    ProductChangesConsumer,
  ],
  exports: [ProductsService],
})
export class ProductsModule {}
