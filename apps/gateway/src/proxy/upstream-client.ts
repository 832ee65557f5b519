import type { Readable } from 'node:stream';
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { MetricsService, ReadinessService } from '@sdp/observability';
import CircuitBreaker from 'opossum';
import { Gauge, type Counter, type Histogram } from 'prom-client';
import { Agent, request } from 'undici';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { upstreams, type HttpMethod, type Upstream } from '../routes/route-table';

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

const BREAKER_STATE = { closed: 0, half_open: 1, open: 2 } as const;

/**
 * Calls upstream services through the lb with keep-alive connections (undici), a per-route timeout,
 * and one circuit breaker per upstream (opossum). Only 5xx answers, timeouts and connection errors
 * count as breaker failures; a 4xx is the caller's problem, and a client hanging up is nobody's.
 */
@Injectable()
export class UpstreamClient implements OnApplicationShutdown {
  private readonly logger = new Logger(UpstreamClient.name);
  private readonly agent = new Agent({
    keepAliveTimeout: 30_000,
    connect: { timeout: 2_000 },
  });
  private readonly breakers = new Map<Upstream, CircuitBreaker<[UpstreamCall], UpstreamResponse>>();
  private readonly openedAt = new Map<Upstream, number>();
  private readonly duration: Histogram<'upstream' | 'outcome'>;
  private readonly rejected: Counter<'upstream'>;

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
    this.rejected = metrics.counter(
      'gateway_circuit_rejections_total',
      'Requests answered 503 at once because the upstream circuit was open.',
      ['upstream'],
    );
    const state = new Gauge({
      name: 'gateway_circuit_state',
      help: 'Circuit breaker state per upstream: 0 closed, 1 half-open, 2 open.',
      labelNames: ['upstream'],
      registers: [metrics.registry],
    });
    for (const upstream of upstreams) {
      const breaker = new CircuitBreaker((call: UpstreamCall) => this.call(call), {
        name: upstream,
        timeout: false, // the request itself times out (per route); see call()
        errorThresholdPercentage: config.BREAKER_ERROR_THRESHOLD_PERCENT,
        volumeThreshold: config.BREAKER_VOLUME_THRESHOLD,
        resetTimeout: config.BREAKER_RESET_TIMEOUT_MS,
        rollingCountTimeout: config.BREAKER_ROLLING_WINDOW_MS,
        rollingCountBuckets: 10,
        // true = "not a failure": a client that hung up says nothing about the upstream's health.
        errorFilter: (error: unknown) => error instanceof UpstreamFailure && error.kind === 'aborted',
      });
      state.set({ upstream }, BREAKER_STATE.closed);
      breaker.on('open', () => {
        this.openedAt.set(upstream, Date.now());
        state.set({ upstream }, BREAKER_STATE.open);
        this.logger.warn(
          `circuit for ${upstream} opened; failing fast for ${config.BREAKER_RESET_TIMEOUT_MS} ms`,
        );
      });
      breaker.on('halfOpen', () => {
        state.set({ upstream }, BREAKER_STATE.half_open);
        this.logger.log(`circuit for ${upstream} half-open; letting one request through`);
      });
      breaker.on('close', () => {
        state.set({ upstream }, BREAKER_STATE.closed);
        this.logger.log(`circuit for ${upstream} closed`);
      });
      this.breakers.set(upstream, breaker);
    }
    readiness.register('upstream-lb', () => this.probeLoadBalancer());
  }

  /** Sends the call through the upstream's breaker. Rejects with UpstreamFailure. */
  async send(call: UpstreamCall): Promise<UpstreamResponse> {
    const breaker = this.breakers.get(call.upstream)!;
    try {
      return await breaker.fire(call);
    } catch (error) {
      if (error instanceof UpstreamFailure) throw error;
      if ((error as { code?: string }).code === 'EOPENBREAKER') {
        this.rejected.inc({ upstream: call.upstream });
        throw new UpstreamFailure(
          'circuit-open',
          call.upstream,
          `${call.upstream} is unavailable (circuit open); retry in ${this.retryAfterSeconds(call.upstream)} s`,
        );
      }
      throw error;
    }
  }

  /** Seconds until the open circuit lets a trial request through. */
  retryAfterSeconds(upstream: Upstream): number {
    const opened = this.openedAt.get(upstream) ?? Date.now();
    const remaining = opened + this.config.BREAKER_RESET_TIMEOUT_MS - Date.now();
    return Math.max(1, Math.ceil(remaining / 1000));
  }

  breakerState(upstream: Upstream): 'closed' | 'half-open' | 'open' {
    const breaker = this.breakers.get(upstream)!;
    return breaker.opened ? 'open' : breaker.halfOpen ? 'half-open' : 'closed';
  }

  private async call(call: UpstreamCall): Promise<UpstreamResponse> {
    const started = process.hrtime.bigint();
    const observe = (outcome: string) =>
      this.duration.observe(
        { upstream: call.upstream, outcome },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
    // Our own timer rather than undici's headersTimeout/bodyTimeout: those tick with a ~1 s
    // resolution, which would make a 300 ms timeout fire after up to a second.
    const timedOut = new AbortController();
    const timer = setTimeout(() => timedOut.abort(), call.timeoutMs);
    try {
      const res = await request(`${this.config.UPSTREAM_BASE_URL}/${call.upstream}${call.path}`, {
        method: call.method,
        headers: call.headers,
        body: call.body,
        dispatcher: this.agent,
        signal: AbortSignal.any([call.signal, timedOut.signal]),
        // SSE may be quiet between heartbeats for as long as it likes: the timer covers the headers only.
        headersTimeout: 0,
        bodyTimeout: 0,
      });
      observe(`${Math.floor(res.statusCode / 100)}xx`);
      if (call.stream && res.statusCode < 500) {
        clearTimeout(timer);
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
      if (timedOut.signal.aborted) {
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
    for (const breaker of this.breakers.values()) breaker.shutdown();
    await this.agent.destroy();
  }
}
