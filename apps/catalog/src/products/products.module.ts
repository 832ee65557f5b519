import { Module } from '@nestjs/common';
import { AdminCacheController } from './admin-cache.controller';
import { CacheMetrics } from './cache-metrics';
import { ProductsController } from './products.controller';
import { ProductsRepository } from './products.repository';
import { ProductsService } from './products.service';
import { WriteBackFlusher } from './write-back.flusher';

@Module({
  controllers: [ProductsController, AdminCacheController],
  providers: [ProductsService, ProductsRepository, WriteBackFlusher, CacheMetrics],
  exports: [ProductsService],
})
export class ProductsModule {}
