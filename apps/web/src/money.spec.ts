import { formatCents } from './money';

describe(formatCents.name, () => {
  it('formats integer cents as dollars with two decimals and grouping', () => {
    expect(formatCents(0)).toBe('$0.00');
    expect(formatCents(5)).toBe('$0.05');
    expect(formatCents(1999)).toBe('$19.99');
    expect(formatCents(123456789)).toBe('$1,234,567.89');
  });

  it('formats negative amounts and other currencies', () => {
    expect(formatCents(-250)).toBe('-$2.50');
    expect(formatCents(1000, 'EUR', 'de-DE')).toBe('10,00\u00a0€');
  });

  it('refuses fractional cents instead of rounding silently', () => {
    expect(() => formatCents(10.5)).toThrow('cents must be an integer');
  });
});
