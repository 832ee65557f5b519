import { Module } from '@nestjs/common';
import { DeliveriesController } from './deliveries/deliveries.controller';
import { DeliveriesRepository } from './deliveries/deliveries.repository';
import { DeliveriesService } from './deliveries/deliveries.service';
import { DeliveryMetrics } from './delivery.metrics';
import { AssignmentsRepository } from './dispatch/assignments.repository';
import { CompletionService } from './dispatch/completion.service';
import { DispatcherService } from './dispatch/dispatcher.service';
import { CancellationsRepository } from './jobs/cancellations.repository';
import { OrderCancelledConsumer } from './jobs/order-cancelled.consumer';
import { OrderConfirmedConsumer } from './jobs/order-confirmed.consumer';

@Module({
  controllers: [DeliveriesController],
  providers: [
    DeliveryMetrics,
    DeliveriesRepository,
    DeliveriesService,
    AssignmentsRepository,
    DispatcherService,
    CompletionService,
    OrderConfirmedConsumer,
    CancellationsRepository,
    OrderCancelledConsumer,
  ],
})
export class DeliveryModule {}
