import { DynamicModule, Global, Inject, Module, OnModuleInit } from '@nestjs/common';
import { APP_FILTER, HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { LoggerModule } from 'nestjs-pino';
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
            redact: ['req.headers.authorization', 'req.headers.cookie'],
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
