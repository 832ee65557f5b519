import type { CartLine, Product } from './api';

export interface CartRow {
  sku: string;
  quantity: number;
  name: string;
  unitCents: number | null;
  lineCents: number | null;
}

export interface CartSummary {
  rows: CartRow[];
  itemCount: number;
  /** Null when a price is unknown (the catalog lookup failed): the page says so instead of guessing. */
  subtotalCents: number | null;
}

/** How many items the cart holds (the nav shows it next to "Cart"). */
export function countItems(lines: CartLine[]): number {
  return lines.reduce((n, line) => n + line.quantity, 0);
}

/** The cart's quantity bounds, the same on the product page and in the cart. */
export const MAX_QUANTITY = 100;

/**
 * Why a typed quantity cannot be sent, or null when it can. The upper bound is the input's `max`
 * (the browser enforces it on submit); the API has the last word on anything larger.
 */
export function quantityProblem(quantity: number): string | null {
  return Number.isInteger(quantity) && quantity >= 1
    ? null
    : `Quantity must be a whole number from 1 to ${MAX_QUANTITY}.`;
}

/** Joins the cart's {sku, quantity} lines with catalog products; the server reprices at checkout. */
export function summarizeCart(lines: CartLine[], products: Product[]): CartSummary {
  const bySku = new Map(products.map((p) => [p.sku, p]));
  let subtotal: number | null = 0;
  const rows = lines.map((line): CartRow => {
    const product = bySku.get(line.sku);
    const unitCents = product ? product.priceCents : null;
    const lineCents = unitCents === null ? null : unitCents * line.quantity;
    subtotal = subtotal === null || lineCents === null ? null : subtotal + lineCents;
    return { sku: line.sku, quantity: line.quantity, name: product?.name ?? line.sku, unitCents, lineCents };
  });
  return { rows, itemCount: countItems(lines), subtotalCents: subtotal };
}
