import { Module } from '@nestjs/common';
import { CartModule } from '../cart/cart.module';
import { CatalogClient } from '../clients/catalog.client';
import { InventoryClient } from '../clients/inventory.client';
import { ServiceClient } from '../clients/service-client';
import { ORDERS_CONFIG, type OrdersConfig } from '../config';
import { OrdersModule } from '../orders/orders.module';
import { CheckoutController } from './checkout.controller';
import { CheckoutService } from './checkout.service';
import { IdempotencyRepository } from './idempotency.repository';

@Module({
  imports: [CartModule, OrdersModule],
  controllers: [CheckoutController],
  providers: [
    CheckoutService,
    IdempotencyRepository,
    {
      provide: CatalogClient,
      inject: [ORDERS_CONFIG],
      useFactory: (config: OrdersConfig) =>
        new CatalogClient(new ServiceClient('catalog', config.CATALOG_URL, config.UPSTREAM_TIMEOUT_MS)),
    },
    {
      provide: InventoryClient,
      inject: [ORDERS_CONFIG],
      useFactory: (config: OrdersConfig) =>
        new InventoryClient(
          new ServiceClient('inventory', config.INVENTORY_URL, config.UPSTREAM_TIMEOUT_MS),
          config.INTERNAL_AUTH_SECRET,
        ),
    },
  ],
})
export class CheckoutModule {}
