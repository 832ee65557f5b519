import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServiceApp } from '@sdp/bootstrap';
import { AppModule } from './app.module';
import type { OrdersConfig } from './config';

/** Builds the orders app (used by main.ts and by the tests, which start several replicas in-process). */
export const createOrdersApp = (config: OrdersConfig): Promise<NestFastifyApplication> =>
  createServiceApp(AppModule.forRoot(config));
