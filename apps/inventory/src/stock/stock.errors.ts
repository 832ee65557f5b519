/** No stock row for this SKU (answered 404). */
export class StockNotFoundError extends Error {
  constructor(readonly sku: string) {
    super(`no stock for ${sku}`);
    this.name = 'StockNotFoundError';
  }
}

/** Setting on-hand below the units held for orders would undercut those holds (answered 409). */
export class BelowReservedError extends Error {
  constructor(
    readonly onHand: number,
    readonly reserved: number,
  ) {
    super(`onHand ${onHand} is below the ${reserved} units held for orders`);
    this.name = 'BelowReservedError';
  }
}
