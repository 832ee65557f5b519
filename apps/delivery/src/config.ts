import {
  boolean,
  internalAuthSecret,
  keyPrefix,
  loadConfig,
  lockConfigShape,
  positiveInt,
  requireLockBackendSettings,
  serviceConfigShape,
  withInstanceId,
} from '@sdp/config';
import { z } from 'zod';

const nonNegativeInt = (fallback: number) =>
  z.coerce
    .number({ message: 'must be a number' })
    .int('must be an integer')
    .min(0, 'must be >= 0')
    .default(fallback);

export const MAX_COURIERS = 500;

export const deliveryConfigSchema = z
  .object({
    ...serviceConfigShape('delivery', 3600),
    INTERNAL_AUTH_SECRET: internalAuthSecret(),
    /**
     * LOCK_BACKEND (redlock, the default, over REDIS_LOCK_URLS; or zookeeper over ZOOKEEPER_URL) and
     * ZOOKEEPER_SESSION_TIMEOUT_MS: @sdp/locks. The dispatcher uses only the backend-neutral LockService.
     */
    ...lockConfigShape(),
    LOCK_KEY_PREFIX: keyPrefix('lock:'),
    /** TTL of a courier or job lock; extended while the dispatcher is alive, expires after a crash. */
    LOCK_TTL_MS: positiveInt(2_000).refine((ms) => ms >= 200, 'must be at least 200'),
    /** Couriers seeded at migration (courier-01 .. courier-NN); existing ones are kept. */
    COURIER_COUNT: positiveInt(20).refine((n) => n <= MAX_COURIERS, `must be at most ${MAX_COURIERS}`),
    /** Pause between dispatcher rounds (each replica runs its own dispatcher). */
    DISPATCH_INTERVAL_MS: positiveInt(200),
    /** Waiting jobs one dispatcher round looks at. */
    DISPATCH_BATCH: positiveInt(20).refine((n) => n <= 500, 'must be at most 500'),
    /**
     * How long the courier's app takes to accept an offer, while the dispatcher holds the courier's
     * and the job's locks (the "mid-assignment" window a crash can fall into).
     */
    ASSIGN_OFFER_MS: nonNegativeInt(100),
    /** From assignment to delivery: the courier is busy this long, then free again. */
    DELIVERY_TIME_MS: positiveInt(20_000),
    /** Pause between rounds of the job that completes due deliveries. */
    COMPLETION_INTERVAL_MS: positiveInt(250),
    /** Run the dispatcher loop in this replica (false: serve reads and consume events only). */
    DISPATCH_ENABLED: boolean(true),
    /**
     * false: dispatch without the courier and job locks, leaving Postgres alone to refuse double
     * assignments (the experiment's control group: what does the lock buy?). Never in production.
     */
    DISPATCH_LOCKS: boolean(true),
  })
  .superRefine(requireLockBackendSettings);

export type DeliveryConfig = z.infer<typeof deliveryConfigSchema> & { INSTANCE_ID: string };

export const DELIVERY_CONFIG = Symbol('DELIVERY_CONFIG');

export const loadDeliveryConfig = (env: NodeJS.ProcessEnv = process.env): DeliveryConfig =>
  withInstanceId('delivery', loadConfig(deliveryConfigSchema, env));
