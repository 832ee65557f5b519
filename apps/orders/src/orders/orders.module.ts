import { Module } from '@nestjs/common';
import { AuctionEventsConsumer } from './auction-events.consumer';
import { InventoryEventsConsumer } from './inventory-events.consumer';
import { OrdersController } from './orders.controller';
import { OrdersMetrics } from './orders.metrics';
import { OrdersRepository } from './orders.repository';
import { OrdersService } from './orders.service';
import { PaymentEventsConsumer } from './payment-events.consumer';

@Module({
  controllers: [OrdersController],
  providers: [
    OrdersService,
    OrdersRepository,
    OrdersMetrics,
    PaymentEventsConsumer,
    InventoryEventsConsumer,
    AuctionEventsConsumer,
  ],
  exports: [OrdersRepository, OrdersMetrics],
})
export class OrdersModule {}
