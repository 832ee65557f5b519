import { DynamicModule, Global, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { MetricsService, ReadinessService } from '@sdp/observability';
import { createRedis } from '@sdp/redis';
import { LockService, type LockEvent, type LockServiceOptions } from './lock.service';

export interface LockModuleOptions extends Omit<LockServiceOptions, 'onEvent'> {
  /** One URL per independent lock node (REDIS_LOCK_URLS); three for a 2-of-3 quorum. */
  urls: readonly string[];
  /** Connection name prefix, shown in CLIENT LIST (e.g. the instance id). */
  name: string;
}

/**
 * LockService over the lock nodes, with metrics (`lock_acquire_wait_seconds`, `lock_failures_total`,
 * `lock_node_errors_total`), a readiness check `redis-locks` (up while a quorum answers PING), and
 * a drain on shutdown.
 */
@Global()
@Module({})
export class LockModule implements OnApplicationShutdown {
  constructor(
    private readonly locks: LockService,
    readiness: ReadinessService,
  ) {
    readiness.register('redis-locks', () => this.locks.pingQuorum());
  }

  static forRoot(settings: LockModuleOptions): DynamicModule {
    return {
      module: LockModule,
      providers: [
        {
          provide: LockService,
          inject: [MetricsService],
          useFactory: (metrics: MetricsService): LockService => {
            const { urls, name, ...serviceOptions } = settings;
            const clients = urls.map((url, index) =>
              createRedis({ url, name: `${name}-lock-${index + 1}`, role: 'lock' }),
            );
            return new LockService(clients, { ...serviceOptions, onEvent: lockEventRecorder(metrics) });
          },
        },
      ],
      exports: [LockService],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.locks.drain();
  }
}

/** Turns lock events into metrics and (throttled) log lines. */
export function lockEventRecorder(metrics: MetricsService): (event: LockEvent) => void {
  const logger = new Logger('Locks');
  const wait = metrics.histogram(
    'lock_acquire_wait_seconds',
    'Time from asking for a lock to holding it (or giving up), by outcome.',
    [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    ['outcome'],
  );
  const failures = metrics.counter('lock_failures_total', 'Locks not obtained or lost, by reason.', [
    'reason',
  ]);
  const nodeErrors = metrics.counter(
    'lock_node_errors_total',
    'Errors from single lock nodes (down, timeout); a quorum may still have answered.',
  );
  let lastNodeLog = 0;
  return (event) => {
    switch (event.type) {
      case 'acquired':
        wait.observe({ outcome: 'acquired' }, event.waitMs / 1_000);
        break;
      case 'failed':
        wait.observe({ outcome: event.reason }, event.waitMs / 1_000);
        failures.inc({ reason: event.reason });
        if (event.reason === 'unavailable') logger.warn(`lock "${event.resource}" unavailable: no quorum`);
        break;
      case 'lost':
        failures.inc({ reason: 'lost' });
        logger.warn(`lock "${event.resource}" lost: extension failed`);
        break;
      case 'release-failed':
        failures.inc({ reason: 'release_failed' });
        logger.warn(`lock "${event.resource}" not released on a quorum; it expires on its TTL`);
        break;
      case 'node-error':
        nodeErrors.inc();
        if (Date.now() - lastNodeLog > 5_000) {
          lastNodeLog = Date.now();
          logger.warn(`lock node error: ${event.error.message}`);
        }
        break;
    }
  };
}
