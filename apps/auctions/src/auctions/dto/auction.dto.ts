import { MAX_PRICE_CENTS } from '@sdp/contracts';
import { IsInt, IsUUID, Matches, Max, Min } from 'class-validator';

export class AuctionIdParams {
  @IsUUID('all', { message: 'id must be an auction id (a UUID)' })
  id!: string;
}

const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export class CreateAuctionDto {
  @Matches(/^[A-Z0-9-]{3,32}$/, { message: 'sku must be a SKU such as "SKU-000001"' })
  sku!: string;

  @IsInt({ message: 'startPriceCents must be an integer' })
  @Min(1, { message: 'startPriceCents must be at least 1' })
  @Max(MAX_PRICE_CENTS, { message: `startPriceCents must be at most ${MAX_PRICE_CENTS}` })
  startPriceCents!: number;

  @IsInt({ message: 'minIncrementCents must be an integer' })
  @Min(1, { message: 'minIncrementCents must be at least 1' })
  @Max(MAX_PRICE_CENTS, { message: `minIncrementCents must be at most ${MAX_PRICE_CENTS}` })
  minIncrementCents!: number;

  @Matches(DATETIME, {
    message: 'endsAt must be an ISO 8601 date-time with a zone, e.g. 2030-01-01T12:00:00Z',
  })
  endsAt!: string;
}
