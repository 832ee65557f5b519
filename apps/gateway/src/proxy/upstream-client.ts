import type { Readable } from 'node:stream';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { MetricsService, ReadinessService, secondsSince } from '@sdp/observability';
import type { Histogram } from 'prom-client';
import { Agent, request } from 'undici';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import type { HttpMethod, Upstream } from '../routes/route-table';
import { CircuitBreakers, CircuitOpenError } from './circuit-breakers';

export interface UpstreamCall {
  upstream: Upstream;
  method: HttpMethod;
  /** Path and query on the upstream service, e.g. `/products/7?x=1`. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** Stream the body through (SSE) instead of reading it: no body timeout. */
  stream: boolean;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
}

export interface UpstreamResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer | Readable;
}

export type UpstreamFailureKind = 'timeout' | 'unreachable' | 'server-error' | 'circuit-open' | 'aborted';

/** Why an upstream call did not produce a normal answer. `response` is set for a 5xx answer. */
export class UpstreamFailure extends Error {
  constructor(
    readonly kind: UpstreamFailureKind,
    readonly upstream: Upstream,
    message: string,
    readonly response?: UpstreamResponse,
  ) {
    super(message);
    this.name = 'UpstreamFailure';
  }
}

const ABORT_CODES = new Set(['UND_ERR_ABORTED', 'ABORT_ERR']);

/**
 * Calls upstream services through the lb with keep-alive connections (undici), a per-route timeout,
 * and one circuit breaker per upstream (./circuit-breakers.ts). Only 5xx answers, timeouts and
 * connection errors count as breaker failures; a 4xx is the caller's problem, and a client hanging
 * up is nobody's.
 */
@Injectable()
export class UpstreamClient implements OnApplicationShutdown {
  private readonly agent = new Agent({
    keepAliveTimeout: 30_000,
    connect: { timeout: 2_000 },
  });
  private readonly breakers: CircuitBreakers<UpstreamCall, UpstreamResponse>;
  private readonly duration: Histogram<'upstream' | 'outcome'>;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    metrics: MetricsService,
    readiness: ReadinessService,
  ) {
    this.duration = metrics.histogram(
      'gateway_upstream_duration_seconds',
      'Time from sending a request upstream to its response headers, by upstream and outcome.',
      [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      ['upstream', 'outcome'],
    );
    this.breakers = new CircuitBreakers(
      config,
      metrics,
      (call: UpstreamCall) => this.call(call),
      // "Not a failure": a client that hung up says nothing about the upstream's health.
      (error) => error instanceof UpstreamFailure && error.kind === 'aborted',
    );
    readiness.register('upstream-lb', () => this.probeLoadBalancer());
  }

  /** Sends the call through the upstream's breaker. Rejects with UpstreamFailure. */
  async send(call: UpstreamCall): Promise<UpstreamResponse> {
    try {
      return await this.breakers.fire(call.upstream, call);
    } catch (error) {
      if (error instanceof CircuitOpenError) {
        throw new UpstreamFailure('circuit-open', call.upstream, error.message);
      }
      throw error;
    }
  }

  /** Seconds until the open circuit lets a trial request through. */
  retryAfterSeconds(upstream: Upstream): number {
    return this.breakers.retryAfterSeconds(upstream);
  }

  private async call(call: UpstreamCall): Promise<UpstreamResponse> {
    const started = process.hrtime.bigint();
    const observe = (outcome: string) =>
      this.duration.observe({ upstream: call.upstream, outcome }, secondsSince(started));
    // Our own timer rather than undici's headersTimeout/bodyTimeout: those tick with a ~1 s
    // resolution, which would make a 300 ms timeout fire after up to a second. One controller for
    // both causes, not AbortSignal.any: on Node 20 that allocates weak references per call and was
    // a visible share of the gateway's garbage collection under load (docs/benchmarks.md).
    const abort = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, call.timeoutMs);
    const onClientGone = () => abort.abort();
    let streaming = false;
    if (call.signal.aborted) abort.abort();
    else call.signal.addEventListener('abort', onClientGone, { once: true });
    try {
      const res = await request(`${this.config.UPSTREAM_BASE_URL}/${call.upstream}${call.path}`, {
        method: call.method,
        headers: call.headers,
        body: call.body,
        dispatcher: this.agent,
        signal: abort.signal,
        // SSE may be quiet between heartbeats for as long as it likes: the timer covers the headers only.
        headersTimeout: 0,
        bodyTimeout: 0,
      });
      observe(`${Math.floor(res.statusCode / 100)}xx`);
      if (call.stream && res.statusCode < 500) {
        streaming = true; // the client going away must still abort the stream
        return { statusCode: res.statusCode, headers: res.headers, body: res.body };
      }
      // Other bodies are small JSON: read them whole within the same deadline.
      const body = Buffer.from(await res.body.arrayBuffer());
      const response = { statusCode: res.statusCode, headers: res.headers, body };
      if (res.statusCode >= 500) {
        throw new UpstreamFailure(
          'server-error',
          call.upstream,
          `${call.upstream} answered ${res.statusCode}`,
          response,
        );
      }
      return response;
    } catch (error) {
      if (error instanceof UpstreamFailure) throw error;
      if (timedOut) {
        observe('timeout');
        throw new UpstreamFailure(
          'timeout',
          call.upstream,
          `${call.upstream} did not answer within ${call.timeoutMs} ms`,
        );
      }
      const code = (error as { code?: string }).code ?? '';
      if (call.signal.aborted || ABORT_CODES.has(code)) {
        throw new UpstreamFailure('aborted', call.upstream, 'client closed the request');
      }
      observe('unreachable');
      const reason = error instanceof Error ? error.message : String(error);
      throw new UpstreamFailure(
        'unreachable',
        call.upstream,
        `${call.upstream} is unreachable (${code || reason})`,
      );
    } finally {
      clearTimeout(timer);
      if (!streaming) call.signal.removeEventListener('abort', onClientGone);
    }
  }

  /** Ready only if the lb answers at all (any status): without it no route works. */
  private async probeLoadBalancer(): Promise<void> {
    const res = await request(`${this.config.UPSTREAM_BASE_URL}/`, {
      dispatcher: this.agent,
      headersTimeout: 1_000,
      bodyTimeout: 1_000,
    });
    await res.body.dump();
  }

  async onApplicationShutdown(): Promise<void> {
    this.breakers.shutdown();
    await this.agent.destroy();
  }
}
