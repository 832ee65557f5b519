import { BadRequestException, type DynamicModule, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createFastifyAdapter } from '@sdp/observability';
import { Logger } from 'nestjs-pino';
import { requestInputProblem } from './request-input';

/** The global pipe of every service: unknown fields are a 400, bodies become DTO instances. */
export const createValidationPipe = (): ValidationPipe =>
  new ValidationPipe({ transform: true, whitelist: true, forbidNonWhitelisted: true });

/**
 * Builds a service's Nest app the same way everywhere: Fastify, pino logs, strict validation
 * (unknown fields are a 400), and errors thrown to the caller instead of exiting the process.
 */
export async function createServiceApp(module: DynamicModule): Promise<NestFastifyApplication> {
  const adapter = createFastifyAdapter();
  // Before any handler, DTO or not (the gateway's proxy has none): NUL characters, lone surrogates
  // and absurd nesting anywhere in the body, query or path are a 400 naming the field.
  adapter.getInstance().addHook('preValidation', (request, _reply, done) => {
    const problem =
      requestInputProblem(request.params, 'path') ??
      requestInputProblem(request.query, 'query') ??
      requestInputProblem(request.body, 'body');
    done(problem ? new BadRequestException(problem) : undefined);
  });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(createValidationPipe());
  return app;
}
