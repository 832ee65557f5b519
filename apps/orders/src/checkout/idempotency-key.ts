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
