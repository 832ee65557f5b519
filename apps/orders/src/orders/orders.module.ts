import { Module } from '@nestjs/common';
import { OrdersController } from './orders.controller';
import { OrdersMetrics } from './orders.metrics';
import { OrdersRepository } from './orders.repository';
import { OrdersService } from './orders.service';
import { PaymentEventsConsumer } from './payment-events.consumer';

@Module({
  controllers: [OrdersController],
  providers: [OrdersService, OrdersRepository, OrdersMetrics, PaymentEventsConsumer],
  exports: [OrdersRepository, OrdersMetrics],
})
export class OrdersModule {}
