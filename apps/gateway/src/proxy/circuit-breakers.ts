import { Logger } from '@nestjs/common';
import type { MetricsService } from '@sdp/observability';
import CircuitBreaker from 'opossum';
import type { Counter } from 'prom-client';
import type { GatewayConfig } from '../config';
import { upstreams, type Upstream } from '../routes/route-table';

const BREAKER_STATE = { closed: 0, half_open: 1, open: 2 } as const;

/** Thrown by `fire` while an upstream's circuit is open: answer at once, without calling it. */
export class CircuitOpenError extends Error {
  constructor(
    readonly upstream: Upstream,
    readonly retryAfterSeconds: number,
  ) {
    super(`${upstream} is unavailable (circuit open); retry in ${retryAfterSeconds} s`);
    this.name = 'CircuitOpenError';
  }
}

/**
 * One circuit breaker per upstream (opossum). After enough failures in the rolling window the
 * circuit opens and calls fail fast for BREAKER_RESET_TIMEOUT_MS; then one trial call goes through
 * (half-open) and its outcome closes or re-opens the circuit. `isNotFailure` says which errors say
 * nothing about the upstream's health (a client hanging up). State is exported as a gauge.
 */
export class CircuitBreakers<Call, Result> {
  private readonly logger = new Logger('CircuitBreakers');
  private readonly breakers = new Map<Upstream, CircuitBreaker<[Call], Result>>();
  private readonly openedAt = new Map<Upstream, number>();
  private readonly rejected: Counter<'upstream'>;

  constructor(
    private readonly config: GatewayConfig,
    metrics: MetricsService,
    call: (call: Call) => Promise<Result>,
    isNotFailure: (error: unknown) => boolean,
  ) {
    this.rejected = metrics.counter(
      'gateway_circuit_rejections_total',
      'Requests answered 503 at once because the upstream circuit was open.',
      ['upstream'],
    );
    const state = metrics.gauge(
      'gateway_circuit_state',
      'Circuit breaker state per upstream: 0 closed, 1 half-open, 2 open.',
      ['upstream'],
    );
    for (const upstream of upstreams) {
      const breaker = new CircuitBreaker(call, {
        name: upstream,
        timeout: false, // the request itself times out (per route)
        errorThresholdPercentage: config.BREAKER_ERROR_THRESHOLD_PERCENT,
        volumeThreshold: config.BREAKER_VOLUME_THRESHOLD,
        resetTimeout: config.BREAKER_RESET_TIMEOUT_MS,
        rollingCountTimeout: config.BREAKER_ROLLING_WINDOW_MS,
        rollingCountBuckets: 10,
        errorFilter: isNotFailure,
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
  }

  /** Runs the call through the upstream's breaker; rejects with CircuitOpenError while it is open. */
  async fire(upstream: Upstream, call: Call): Promise<Result> {
    try {
      return await this.breakers.get(upstream)!.fire(call);
    } catch (error) {
      if ((error as { code?: string }).code !== 'EOPENBREAKER') throw error;
      this.rejected.inc({ upstream });
      throw new CircuitOpenError(upstream, this.retryAfterSeconds(upstream));
    }
  }

  /** Seconds until the open circuit lets a trial request through. */
  retryAfterSeconds(upstream: Upstream): number {
    const opened = this.openedAt.get(upstream) ?? Date.now();
    const remaining = opened + this.config.BREAKER_RESET_TIMEOUT_MS - Date.now();
    return Math.max(1, Math.ceil(remaining / 1000));
  }

  shutdown(): void {
    for (const breaker of this.breakers.values()) breaker.shutdown();
  }
}
