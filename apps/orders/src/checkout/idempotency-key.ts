import { BadRequestException } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { CheckoutDto } from './dto/checkout.dto';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
const KEY = /^[A-Za-z0-9_-]{8,128}$/;

/** The header is required on checkout: without it a retried request could place a second order. */
export function parseIdempotencyKey(value: string | string[] | undefined): string {
  const key = Array.isArray(value) ? value[0] : value;
  if (!key || !KEY.test(key)) {
    throw new BadRequestException(
      'Idempotency-Key header is required: 8-128 characters of A-Z, a-z, 0-9, "_" or "-" (e.g. a UUID)',
    );
  }
  return key;
}

/**
 * What "the same request" means for a key: the body as sent, with lines in SKU order (so a
 * reordered retry still matches). A cart checkout hashes as "the cart", not its contents: a retry
 * after the cart was emptied by the first attempt must still replay, not mismatch.
 */
export function requestHash(body: CheckoutDto): string {
  const canonical = body.items
    ? {
        items: [...body.items]
          .map(({ sku, quantity }) => ({ sku, quantity }))
          .sort((a, b) => a.sku.localeCompare(b.sku)),
      }
    : { cart: true };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

/**
 * The order id an attempt uses: derived from the user, the key and the lines (in SKU order), so a
 * retry after a timeout or a failed transaction asks inventory for the SAME order id and gets back
 * the hold the lost attempt took (inventory is idempotent on order id) instead of leaving it to
 * the sweeper and holding the stock twice. A changed cart means other lines, so another id.
 * Formatted as an RFC 9562 version-8 (custom) UUID.
 */
export function orderIdFor(userId: string, key: string, lines: { sku: string; quantity: number }[]): string {
  const sorted = [...lines]
    .map(({ sku, quantity }) => [sku, quantity] as const)
    .sort(([a], [b]) => a.localeCompare(b));
  const bytes = createHash('sha256')
    .update(JSON.stringify([userId, key, sorted]))
    .digest()
    .subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x80; // version 8
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
