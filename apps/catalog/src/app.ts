import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServiceApp } from '@sdp/bootstrap';
import { AppModule } from './app.module';
import type { CatalogConfig } from './config';

/** Builds the catalog app (used by main.ts and by the tests, which start several replicas in-process). */
export const createCatalogApp = (config: CatalogConfig): Promise<NestFastifyApplication> =>
  createServiceApp(AppModule.forRoot(config));
