import type { LockService } from '@sdp/locks';
import { createRedis } from '@sdp/redis';
import type { InventoryConfig } from '../../config';
import type { ReservationsRepository } from '../reservations.repository';
import { refuseIfUnavailable } from '../stock-precheck';
import { DatabaseHoldStrategy } from './database.strategy';
import type { HoldStrategy } from './hold-strategy';
import { RedisCounterHoldStrategy } from './redis-counter.strategy';
import { RedlockHoldStrategy } from './redlock.strategy';
import { StockCounter } from './stock-counter';

export * from './hold-strategy';
export { stockLock } from './redlock.strategy';

/** The strategy RESERVATION_STRATEGY names (a Nest factory: inventory.module.ts). */
export function holdStrategyFor(
  config: InventoryConfig,
  reservations: ReservationsRepository,
  locks: LockService,
): HoldStrategy {
  switch (config.RESERVATION_STRATEGY) {
    case 'redlock':
      return new RedlockHoldStrategy(reservations, locks, config, (items) =>
        refuseIfUnavailable(reservations, items),
      );
    case 'conditional-update':
    case 'select-for-update':
      return new DatabaseHoldStrategy(config.RESERVATION_STRATEGY, reservations, config);
    case 'redis-counter': {
      const redis = createRedis({
        url: config.STOCK_COUNTER_REDIS_URL ?? config.REDIS_LOCK_URLS[0],
        name: `${config.INSTANCE_ID}-stock-counter`,
        role: 'lock',
      });
      const counter = new StockCounter(
        redis,
        `stock-counter:${config.DB_SCHEMA}:`,
        config.STOCK_COUNTER_TTL_MS,
      );
      return new RedisCounterHoldStrategy(counter, reservations, config);
    }
  }
}
