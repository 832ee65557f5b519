import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServiceApp } from '@sdp/bootstrap';
import { AppModule } from './app.module';
import type { PaymentsConfig } from './config';

/** Builds the payments app (used by main.ts and by the in-process integration tests). */
export const createPaymentsApp = (config: PaymentsConfig): Promise<NestFastifyApplication> =>
  createServiceApp(AppModule.forRoot(config));
