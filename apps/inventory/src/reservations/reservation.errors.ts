/** Not enough available stock for one SKU (answered 409 with OutOfStockBody). */
export class OutOfStockError extends Error {
  constructor(
    readonly sku: string,
    readonly available: number,
    readonly requested: number,
  ) {
    super(`${sku}: only ${available} available, ${requested} requested`);
    this.name = 'OutOfStockError';
  }
}

/**
 * The conditional UPDATE found a fence at or above our token: a newer lock holder has written this
 * row, so our lock must have expired (pause, slow network). Nothing was written; retry.
 */
export class FencedOutError extends Error {
  constructor(
    readonly sku: string,
    readonly token: string,
    readonly fence: string,
  ) {
    super(`${sku}: fencing token ${token} is stale (row fenced at ${fence}); the lock was lost`);
    this.name = 'FencedOutError';
  }
}
