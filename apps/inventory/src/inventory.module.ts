import { Module } from '@nestjs/common';
import { LockService } from '@sdp/locks';
import { INVENTORY_CONFIG } from './config';
import { InventoryMetrics } from './inventory.metrics';
import { OrderEventsConsumer } from './order-events/order-events.consumer';
import { ReservationsController } from './reservations/reservations.controller';
import { ReservationsRepository } from './reservations/reservations.repository';
import { ReservationsService } from './reservations/reservations.service';
import { HOLD_STRATEGY, holdStrategyFor } from './reservations/strategies';
import { StockController } from './stock/stock.controller';
import { StockRepository } from './stock/stock.repository';
import { StockService } from './stock/stock.service';
import { SweeperController } from './sweeper/sweeper.controller';
import { SweeperService } from './sweeper/sweeper.service';

@Module({
  controllers: [StockController, ReservationsController, SweeperController],
  providers: [
    InventoryMetrics,
    StockRepository,
    ReservationsRepository,
    StockService,
    ReservationsService,
    {
      provide: HOLD_STRATEGY,
      useFactory: holdStrategyFor,
      inject: [INVENTORY_CONFIG, ReservationsRepository, LockService],
    },
    OrderEventsConsumer,
    SweeperService,
  ],
})
export class InventoryModule {}
