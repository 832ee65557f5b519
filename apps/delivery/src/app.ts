import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServiceApp } from '@sdp/bootstrap';
import { AppModule } from './app.module';
import type { DeliveryConfig } from './config';

/** Builds the delivery app (used by main.ts and by the in-process integration tests). */
export const createDeliveryApp = (config: DeliveryConfig): Promise<NestFastifyApplication> =>
  createServiceApp(AppModule.forRoot(config));
