import { Module } from '@nestjs/common';
import { ObserverModule } from '../observer/observer.module';
import { ScenariosModule } from '../scenarios/scenarios.module';
import { LiveFeed } from './live-feed';
import { LiveController } from './live.controller';

@Module({
  imports: [ObserverModule, ScenariosModule],
  controllers: [LiveController],
  providers: [LiveFeed],
})
export class LiveModule {}
