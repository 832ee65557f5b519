import { Module } from '@nestjs/common';
import { ObserverModule } from '../observer/observer.module';
import { CacheDownScenario } from './cache-down.scenario';
import { CdnRegionsScenario } from './cdn-regions.scenario';
import { FlashSaleScenario } from './flash-sale.scenario';
import { KafkaDownScenario } from './kafka-down.scenario';
import { KillReplicaScenario } from './kill-replica.scenario';
import { LockNodesScenario } from './lock-nodes.scenario';
import { OriginDownScenario } from './origin-down.scenario';
import { PaymentFailuresScenario } from './payment-failures.scenario';
import { ScenarioRunsRepository } from './scenario-runs.repository';
import { Shop } from './shop';
import { WriteStrategyScenario } from './write-strategy.scenario';
import { ScenariosController } from './scenarios.controller';
import { ScenariosService } from './scenarios.service';
import { StackClient } from './stack-client';

@Module({
  imports: [ObserverModule],
  controllers: [ScenariosController],
  providers: [
    ScenariosService,
    ScenarioRunsRepository,
    StackClient,
    Shop,
    FlashSaleScenario,
    KillReplicaScenario,
    PaymentFailuresScenario,
    OriginDownScenario,
    WriteStrategyScenario,
    LockNodesScenario,
    KafkaDownScenario,
    CacheDownScenario,
    CdnRegionsScenario,
  ],
  exports: [ScenariosService],
})
export class ScenariosModule {}
