import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServiceApp } from '@sdp/bootstrap';
import { AppModule } from './app.module';
import type { MediaOriginConfig } from './config';

/** Builds the media origin (used by main.ts and by the in-process integration tests). */
export const createMediaOriginApp = (config: MediaOriginConfig): Promise<NestFastifyApplication> =>
  createServiceApp(AppModule.forRoot(config));
