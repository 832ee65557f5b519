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
  return { rows, itemCount: lines.reduce((n, l) => n + l.quantity, 0), subtotalCents: subtotal };
}
