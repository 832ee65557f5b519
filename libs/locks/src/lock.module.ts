import { DynamicModule, Global, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { MetricsService, ReadinessService } from '@sdp/observability';
import { createRedis } from '@sdp/redis';
import { LockService, type LockBackendName, type LockEvent, type LockServiceOptions } from './lock.service';
import { RedlockLockService } from './redlock.service';
import { ZooKeeperLockService } from './zookeeper.service';

export interface LockModuleOptions extends Omit<LockServiceOptions, 'onEvent'> {
  /** `redlock` (default) or `zookeeper` (LOCK_BACKEND). */
  backend?: LockBackendName;
  /** Redlock: one URL per independent lock node (REDIS_LOCK_URLS); three for a 2-of-3 quorum. */
  urls?: readonly string[];
  /** ZooKeeper: the connection string (ZOOKEEPER_URL) and session timeout (ZOOKEEPER_SESSION_TIMEOUT_MS). */
  zookeeper?: { url: string; sessionTimeoutMs?: number };
  /** Connection name prefix, shown in CLIENT LIST and in ZooKeeper lock znodes (e.g. the instance id). */
  name: string;
}

/** LockModuleOptions from a config validated with @sdp/config's lockConfigShape. */
export function lockOptionsFromConfig(
  config: {
    LOCK_BACKEND: LockBackendName;
    REDIS_LOCK_URLS?: readonly string[];
    ZOOKEEPER_URL?: string;
    ZOOKEEPER_SESSION_TIMEOUT_MS: number;
  },
  name: string,
): Pick<LockModuleOptions, 'backend' | 'urls' | 'zookeeper' | 'name'> {
  return {
    backend: config.LOCK_BACKEND,
    urls: config.REDIS_LOCK_URLS,
    zookeeper: config.ZOOKEEPER_URL
      ? { url: config.ZOOKEEPER_URL, sessionTimeoutMs: config.ZOOKEEPER_SESSION_TIMEOUT_MS }
      : undefined,
    name,
  };
}

/** The LockService for the chosen backend; throws naming the missing setting. */
export function createLockService(
  settings: LockModuleOptions,
  onEvent?: (event: LockEvent) => void,
): LockService {
  const { backend = 'redlock', urls, zookeeper, name, ...serviceOptions } = settings;
  if (backend === 'zookeeper') {
    if (!zookeeper) throw new Error('LockModule: backend zookeeper needs zookeeper.url (ZOOKEEPER_URL)');
    return new ZooKeeperLockService({
      ...serviceOptions,
      onEvent,
      connectionString: zookeeper.url,
      sessionTimeoutMs: zookeeper.sessionTimeoutMs,
      owner: name,
    });
  }
  if (!urls || urls.length === 0) throw new Error('LockModule: backend redlock needs urls (REDIS_LOCK_URLS)');
  const clients = urls.map((url, index) =>
    createRedis({ url, name: `${name}-lock-${index + 1}`, role: 'lock' }),
  );
  return new RedlockLockService(clients, { ...serviceOptions, onEvent });
}

/**
 * LockService for the configured backend, with metrics (`lock_acquire_wait_seconds`,
 * `lock_failures_total`, `lock_node_errors_total`), a readiness check (`redis-locks`: up while a
 * quorum answers PING; `zookeeper-locks`: up while the session answers), and a drain on shutdown.
 */
@Global()
@Module({})
export class LockModule implements OnApplicationShutdown {
  constructor(
    private readonly locks: LockService,
    readiness: ReadinessService,
  ) {
    readiness.register(this.locks.backend === 'zookeeper' ? 'zookeeper-locks' : 'redis-locks', () =>
      this.locks.ping(),
    );
  }

  static forRoot(settings: LockModuleOptions): DynamicModule {
    return {
      module: LockModule,
      providers: [
        {
          provide: LockService,
          inject: [MetricsService],
          useFactory: (metrics: MetricsService): LockService =>
            createLockService(settings, lockEventRecorder(metrics)),
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
        logger.warn(`lock "${event.resource}" lost (extension failed or session lost)`);
        break;
      case 'release-failed':
        failures.inc({ reason: 'release_failed' });
        logger.warn(`lock "${event.resource}" not released; it expires on its TTL or with its session`);
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
