import { DynamicModule, Module } from '@nestjs/common';
import { cacheRedisFor, configFor, databaseFor, kafkaFor, observabilityFor } from '@sdp/bootstrap';
import { OutboxModule } from '@sdp/outbox';
import { CATALOG_CONFIG, type CatalogConfig } from './config';
import { catalogMigrations } from './db/migrations';
import { BestSellersModule } from './best-sellers/best-sellers.module';
import { EdgeRefreshModule } from './edge/edge-refresh';
import { MeModule } from './me/me.module';
import { seedCatalog } from './db/seed';
import { Category } from './products/category.entity';
import { Product } from './products/product.entity';
import { ProductsModule } from './products/products.module';

@Module({})
export class AppModule {
  static forRoot(config: CatalogConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        observabilityFor('catalog', config),
        configFor(CATALOG_CONFIG, config),
        databaseFor(config, {
          entities: [Product, Category],
          migrations: catalogMigrations,
          afterMigrate: (dataSource) =>
            config.SEED_DEMO_DATA ? seedCatalog(dataSource, config.DB_SCHEMA) : Promise.resolve(),
        }),
        cacheRedisFor(config),
        kafkaFor(config, ['product.updated', 'order.confirmed', 'order.cancelled', 'stock.changed']),
        OutboxModule.forRoot({ schema: config.DB_SCHEMA }), // relays product.updated
        BestSellersModule, // before ProductsModule: /products/top must not reach /products/:id
        ProductsModule,
        MeModule,
        EdgeRefreshModule,
      ],
    };
  }
}
