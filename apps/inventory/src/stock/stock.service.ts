import { Inject, Injectable } from '@nestjs/common';
import { HOLD_STRATEGY, type HoldStrategy } from '../reservations/strategies';
import { StockRepository, type StockView } from './stock.repository';
import { BelowReservedError, StockNotFoundError } from './stock.errors';

@Injectable()
export class StockService {
  constructor(
    private readonly stock: StockRepository,
    @Inject(HOLD_STRATEGY) private readonly strategy: HoldStrategy,
  ) {}

  async get(sku: string): Promise<StockView> {
    const view = await this.stock.find(sku);
    if (!view) throw new StockNotFoundError(sku);
    return view;
  }

  /** No lock needed: one conditional UPDATE, and Postgres keeps reserved <= on_hand. */
  async set(sku: string, onHand: number, requestId: string): Promise<StockView> {
    const result = await this.stock.setOnHand(sku, onHand, requestId);
    if (!result) throw new StockNotFoundError(sku);
    if ('belowReserved' in result) throw new BelowReservedError(onHand, result.belowReserved);
    await this.strategy.stockSet?.(sku);
    return result;
  }
}
