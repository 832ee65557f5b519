import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { INSTANCE_ID_HEADER, MetricsService } from '@sdp/observability';
import type { FastifyInstance } from 'fastify';
import type { Counter } from 'prom-client';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { proxiedRoute, routeLabel, upstreamInstance } from './proxied-request';

/**
 * Response hooks for proxied requests. Registered after ObservabilityModule's (this module inits
 * later), so the service replica's x-instance-id wins over the gateway's own on proxied answers;
 * the gateway names itself in x-gateway-instance. Also counts requests per route-table entry,
 * which the generic http_requests_total cannot (it sees one catch-all route).
 */
@Injectable()
export class GatewayHooks implements OnModuleInit {
  private readonly requests: Counter<'route' | 'upstream' | 'status'>;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    metrics: MetricsService,
  ) {
    this.requests = metrics.counter(
      'gateway_requests_total',
      'Proxied requests by route-table entry, upstream and status (including 401/403/429/503 from the gateway).',
      ['route', 'upstream', 'status'],
    );
  }

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify?.addHook) return;
    fastify.addHook('onSend', async (request, reply) => {
      void reply.header('x-gateway-instance', this.config.INSTANCE_ID);
      const instance = upstreamInstance(request);
      if (instance) void reply.header(INSTANCE_ID_HEADER, instance);
    });
    fastify.addHook('onResponse', async (request, reply) => {
      const route = proxiedRoute(request);
      if (!route) return;
      this.requests.inc({
        route: routeLabel(route),
        upstream: route.upstream,
        status: String(reply.statusCode),
      });
    });
  }
}
