import { ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createFastifyAdapter } from '@sdp/observability';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import type { CatalogConfig } from './config';

/** Builds the catalog app (used by main.ts and by the tests, which start several replicas in-process). */
export async function createCatalogApp(config: CatalogConfig): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config),
    createFastifyAdapter(),
    {
      bufferLogs: true,
      abortOnError: false, // throw instead of process.exit, so callers (main, tests) see the cause
    },
  );
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(
    new ValidationPipe({
      transform: true,
      whitelist: true,
      forbidNonWhitelisted: true,
      stopAtFirstError: false,
    }),
  );
  return app;
}
