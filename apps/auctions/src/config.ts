import {
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

export const bidStrategies = ['lock', 'cas'] as const;
export type BidStrategy = (typeof bidStrategies)[number];

export const auctionsConfigSchema = z
  .object({
    ...serviceConfigShape('auctions', 3700),
    /**
     * LOCK_BACKEND (redlock: REDIS_LOCK_URLS, three nodes for a 2-of-3 quorum; or zookeeper:
     * ZOOKEEPER_URL), ZOOKEEPER_SESSION_TIMEOUT_MS: @sdp/locks. Auctions only uses LockService.
     */
    ...lockConfigShape(),
    LOCK_KEY_PREFIX: keyPrefix('lock:'),
    INTERNAL_AUTH_SECRET: internalAuthSecret(),
    /**
     * How a bid is validated and recorded (docs/auctions.md): `lock` holds the auction's lock (one
     * bidder at a time, a fencing token in the UPDATE); `cas` reads the row and writes it only if its
     * version is unchanged, retrying on conflict, with no distributed lock.
     */
    BID_STRATEGY: z.enum(bidStrategies, { message: 'must be lock or cas' }).default('lock'),
    LOCK_TTL_MS: positiveInt(2_000).refine((ms) => ms >= 200, 'must be at least 200'),
    /** Retries per round while the other replica holds the auction (contention); a lost quorum never retries. */
    LOCK_RETRY_COUNT: z.coerce.number().int('must be an integer').min(0, 'must be >= 0').default(5),
    LOCK_RETRY_DELAY_MS: positiveInt(20),
    /** How long a bid may queue for the auction's lock in all, re-checking the price between rounds. */
    LOCK_WAIT_MS: positiveInt(5_000),
    /** `cas`: attempts before a bid that keeps losing the race is answered 503 (retry). */
    CAS_MAX_ATTEMPTS: positiveInt(50),
    /**
     * A validation step between reading the auction and writing the bid that takes this long (a
     * stand-in for a bidder's deposit or fraud check at another service). 0 = none. The benchmark
     * turns it up to show where the lock pays for itself.
     */
    BID_CHECK_MS: z.coerce
      .number()
      .int('must be an integer')
      .min(0, 'must be >= 0')
      .max(5_000, 'must be <= 5000')
      .default(0),
    /** How often every replica tries to run the closing job (only the lock winner runs it). */
    CLOSER_INTERVAL_MS: positiveInt(1_000),
  })
  .superRefine(requireLockBackendSettings);

export type AuctionsConfig = z.infer<typeof auctionsConfigSchema> & { INSTANCE_ID: string };

export const AUCTIONS_CONFIG = Symbol('AUCTIONS_CONFIG');

export const loadAuctionsConfig = (env: NodeJS.ProcessEnv = process.env): AuctionsConfig =>
  withInstanceId('auctions', loadConfig(auctionsConfigSchema, env));
