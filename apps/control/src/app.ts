import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServiceApp } from '@sdp/bootstrap';
import { AppModule } from './app.module';
import type { ControlConfig } from './config';

/** Builds the control app (used by main.ts and by tests). */
export const createControlApp = (config: ControlConfig): Promise<NestFastifyApplication> =>
  createServiceApp(AppModule.forRoot(config));
