import { type DynamicModule, Module } from '@nestjs/common';
import { ObservabilityModule } from '@sdp/observability';
import { CdnLogCollector } from './cdn-log/cdn-log.collector';
import { MEDIA_ORIGIN_CONFIG, type MediaOriginConfig } from './config';
import { MediaController } from './media/media.controller';
import { MediaService } from './media/media.service';

@Module({})
export class AppModule {
  static forRoot(config: MediaOriginConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({
          service: 'media',
          instanceId: config.INSTANCE_ID,
          logLevel: config.LOG_LEVEL,
        }),
      ],
      controllers: [MediaController],
      providers: [{ provide: MEDIA_ORIGIN_CONFIG, useValue: config }, MediaService, CdnLogCollector],
    };
  }
}
