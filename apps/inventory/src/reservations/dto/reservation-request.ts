import { BadRequestException } from '@nestjs/common';
import { MAX_LINES, reservationRequest, type ReservationRequest } from '@sdp/contracts';
import { describeIssues } from '@sdp/messaging';
import { z } from 'zod';

/**
 * The shared contract, made strict: unknown fields anywhere are a 400 (a typo must not be
 * silently dropped). Duplicate SKUs are rejected rather than merged: orders sends one line per SKU,
 * so a duplicate is a caller bug, and merging could push a line past MAX_LINE_QUANTITY unseen.
 */
const strictRequest = reservationRequest
  .extend({
    items: z.array(reservationRequest.shape.items.element.strict()).min(1).max(MAX_LINES),
  })
  .strict();

export function parseReservationRequest(body: unknown): ReservationRequest {
  const parsed = strictRequest.safeParse(body);
  if (!parsed.success) throw new BadRequestException(describeIssues(parsed.error));
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const { sku } of parsed.data.items) (seen.has(sku) ? duplicates : seen).add(sku);
  if (duplicates.size > 0) {
    throw new BadRequestException(`items: each SKU may appear once; repeated: ${[...duplicates].join(', ')}`);
  }
  return parsed.data;
}
