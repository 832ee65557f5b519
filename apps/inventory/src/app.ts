import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServiceApp } from '@sdp/bootstrap';
import { AppModule } from './app.module';
import type { InventoryConfig } from './config';

/** Builds the inventory app (used by main.ts and by the tests, which start several replicas in-process). */
export const createInventoryApp = (config: InventoryConfig): Promise<NestFastifyApplication> =>
  createServiceApp(AppModule.forRoot(config));
