import { type DynamicModule, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createFastifyAdapter } from '@sdp/observability';
import { Logger } from 'nestjs-pino';

/**
 * Builds a service's Nest app the same way everywhere: Fastify, pino logs, strict validation
 * (unknown fields are a 400), and errors thrown to the caller instead of exiting the process.
 */
export async function createServiceApp(module: DynamicModule): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(module, createFastifyAdapter(), {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(new ValidationPipe({ transform: true, whitelist: true, forbidNonWhitelisted: true }));
  return app;
}
