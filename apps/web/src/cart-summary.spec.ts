import type { Product } from './api';
import { countItems, quantityProblem, summarizeCart } from './cart-summary';

const product = (sku: string, priceCents: number): Product => ({
  id: 1,
  sku,
  name: `Name of ${sku}`,
  description: '',
  priceCents,
  category: { slug: 'home', name: 'Home' },
  imagePath: '',
  updatedAt: '2026-01-01T00:00:00.000Z',
});

describe('summarizeCart', () => {
  it('joins lines with prices and adds them up in integer cents', () => {
    const summary = summarizeCart(
      [
        { sku: 'A', quantity: 3 },
        { sku: 'B', quantity: 1 },
      ],
      [product('A', 1999), product('B', 1)],
    );
    expect(summary.itemCount).toBe(4);
    expect(summary.subtotalCents).toBe(5998);
    expect(summary.rows[0]).toEqual({
      sku: 'A',
      quantity: 3,
      name: 'Name of A',
      unitCents: 1999,
      lineCents: 5997,
    });
  });

  it('says the subtotal is unknown when a price is missing instead of guessing', () => {
    const summary = summarizeCart(
      [
        { sku: 'A', quantity: 1 },
        { sku: 'GONE', quantity: 2 },
      ],
      [product('A', 100)],
    );
    expect(summary.subtotalCents).toBeNull();
    expect(summary.rows[1]).toMatchObject({ name: 'GONE', unitCents: null, lineCents: null });
  });
});

describe('countItems', () => {
  it('adds up the quantities, not the lines', () => {
    expect(countItems([])).toBe(0);
    expect(
      countItems([
        { sku: 'A', quantity: 3 },
        { sku: 'B', quantity: 2 },
      ]),
    ).toBe(5);
  });
});

describe('quantityProblem', () => {
  it('accepts whole numbers from 1 and explains anything else', () => {
    expect(quantityProblem(1)).toBeNull();
    expect(quantityProblem(7)).toBeNull();
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(quantityProblem(bad)).toBe('Quantity must be a whole number from 1 to 100.');
    }
  });
});
