import { DynamicModule, Module } from '@nestjs/common';
import { ObservabilityModule } from '@sdp/observability';
import { CATALOG_CONFIG, type CatalogConfig } from './config';
import { InfrastructureModule } from './infrastructure/infrastructure.module';
import { ProductsModule } from './products/products.module';

@Module({})
export class AppModule {
  static forRoot(config: CatalogConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({
          service: 'catalog',
          instanceId: config.INSTANCE_ID,
          logLevel: config.LOG_LEVEL,
        }),
        {
          module: ConfigHolder,
          global: true,
          providers: [{ provide: CATALOG_CONFIG, useValue: config }],
          exports: [CATALOG_CONFIG],
        },
        InfrastructureModule,
        ProductsModule,
      ],
    };
  }
}

/** Makes the validated config injectable everywhere as CATALOG_CONFIG. */
@Module({})
class ConfigHolder {}
