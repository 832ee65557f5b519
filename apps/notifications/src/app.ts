import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServiceApp } from '@sdp/bootstrap';
import { AppModule } from './app.module';
import type { NotificationsConfig } from './config';

/** Builds the notifications app (used by main.ts and by the in-process integration tests). */
export const createNotificationsApp = (config: NotificationsConfig): Promise<NestFastifyApplication> =>
  createServiceApp(AppModule.forRoot(config));
