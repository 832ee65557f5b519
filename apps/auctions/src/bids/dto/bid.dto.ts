import { MAX_PRICE_CENTS } from '@sdp/contracts';
import { IsInt, Max, Min } from 'class-validator';

export class BidDto {
  @IsInt({ message: 'amountCents must be an integer' })
  @Min(1, { message: 'amountCents must be at least 1' })
  @Max(MAX_PRICE_CENTS, { message: `amountCents must be at most ${MAX_PRICE_CENTS}` })
  amountCents!: number;
}
