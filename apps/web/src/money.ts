const formatters = new Map<string, Intl.NumberFormat>();

/** Integer cents → "$1,234.50". Prices travel as integer cents so no float ever rounds them. */
export function formatCents(cents: number, currency = 'USD', locale = 'en-US'): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`cents must be an integer, got ${cents}`);
  const key = `${locale}:${currency}`;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    formatters.set(key, format);
  }
  // Divide only at the edge of display: 1999 / 100 is exact enough for formatting 2 decimals.
  return format.format(cents / 100);
}
