import { DynamicModule, Global, Inject, Module, OnModuleInit } from '@nestjs/common';
import { APP_FILTER, HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { LoggerModule } from 'nestjs-pino';
import type { SerializedRequest } from 'pino';
import { HealthController } from './health.controller';
import { HttpErrorFilter } from './http-error.filter';
import { MetricsService } from './metrics.service';
import { ReadinessService } from './readiness.service';
import { INSTANCE_ID_HEADER, REQUEST_ID_HEADER } from './request-id';

export interface ObservabilityOptions {
  /** Service name, e.g. "catalog". */
  service: string;
  /** This replica's id, e.g. "catalog-1"; sent back in every response's x-instance-id. */
  instanceId: string;
  logLevel?: string;
}

/**
 * What a log line says of the request it belongs to (pino-http passes pino's standard request
 * object). The event stream's token travels in the query (EventSource cannot send headers): masked.
 */
export const requestLogFields = (req: SerializedRequest) => ({
  id: req.id,
  method: req.method,
  url: req.url.includes('access_token=')
    ? req.url.replace(/([?&]access_token=)[^&#]*/g, '$1[redacted]')
    : req.url,
  remoteAddress: req.remoteAddress,
});

export const OBSERVABILITY_OPTIONS = Symbol('OBSERVABILITY_OPTIONS');

/**
 * Logs (JSON, one line per request, with the request id), metrics (/metrics), liveness (/health),
 * readiness (/ready), the instance and request id headers, and the one error shape.
 */
@Global()
@Module({})
export class ObservabilityModule implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly metrics: MetricsService,
    @Inject(OBSERVABILITY_OPTIONS) private readonly options: ObservabilityOptions,
  ) {}

  static forRoot(options: ObservabilityOptions): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: options.logLevel ?? 'info',
            base: { service: options.service, instance: options.instanceId },
            customAttributeKeys: { reqId: 'requestId' },
            // Health probes and scrapes would drown the request log.
            autoLogging: { ignore: (req) => /^\/(health|ready|metrics)/.test(req.url ?? '') },
            // pino serialises a child logger's bindings when it is made, and pino-http makes one with
            // the request for every request, logged or not: the standard serialiser (every header,
            // then redaction of the secret ones) cost ~25 µs per request per hop. The request id,
            // method, URL and peer say which request a line belongs to; headers stay out of the logs,
            // which also keeps Authorization and cookies out without a redaction pass.
            serializers: { req: requestLogFields },
            // One line per answered request costs a JSON serialisation and a write on every hop (a
            // checkout crosses five): successes are logged at debug (LOG_LEVEL=debug shows them),
            // client errors at info, failures at error; a disabled level costs nothing.
            customLogLevel: (_req, res, error) =>
              error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug',
          },
        }),
      ],
      controllers: [HealthController],
      providers: [
        { provide: OBSERVABILITY_OPTIONS, useValue: options },
        MetricsService,
        ReadinessService,
        { provide: APP_FILTER, useClass: HttpErrorFilter },
      ],
      exports: [MetricsService, ReadinessService, OBSERVABILITY_OPTIONS],
    };
  }

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify?.addHook) return;
    const { instanceId } = this.options;
    fastify.addHook('onSend', async (request, reply) => {
      void reply.header(REQUEST_ID_HEADER, request.id).header(INSTANCE_ID_HEADER, instanceId);
    });
    fastify.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unmatched';
      const method = request.method;
      this.metrics.httpRequests.inc({ method, route, status: String(reply.statusCode) });
      this.metrics.httpDuration.observe({ method, route }, reply.elapsedTime / 1_000);
    });
  }
}
