import { DynamicModule, Module } from '@nestjs/common';
import { configFor, databaseFor, observabilityFor } from '@sdp/bootstrap';
import { CONTROL_CONFIG, type ControlConfig } from './config';
import { controlMigrations } from './db/migrations';
import { LiveModule } from './live/live.module';
import { ObserverModule } from './observer/observer.module';
import { ScenariosModule } from './scenarios/scenarios.module';

@Module({})
export class AppModule {
  static forRoot(config: ControlConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        observabilityFor('control', config),
        configFor(CONTROL_CONFIG, config),
        databaseFor(config, { migrations: controlMigrations }),
        ObserverModule,
        ScenariosModule,
        LiveModule,
      ],
    };
  }
}
