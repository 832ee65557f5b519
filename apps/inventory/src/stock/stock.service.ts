import { Injectable } from '@nestjs/common';
import { StockRepository, type StockView } from './stock.repository';
import { BelowReservedError, StockNotFoundError } from './stock.errors';

@Injectable()
export class StockService {
  constructor(private readonly stock: StockRepository) {}

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
    return result;
  }
}
