import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServiceApp } from '@sdp/bootstrap';
import { AppModule } from './app.module';
import type { GatewayConfig } from './config';

/** Builds the gateway app (used by main.ts and by the tests, which start two replicas in-process). */
export const createGatewayApp = (config: GatewayConfig): Promise<NestFastifyApplication> =>
  createServiceApp(AppModule.forRoot(config));
