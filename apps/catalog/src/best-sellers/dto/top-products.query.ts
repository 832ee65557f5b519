import { OptionalField } from '@sdp/bootstrap';
import { Type } from 'class-transformer';
import { IsIn, IsInt, Max, Min } from 'class-validator';

export const topWindows = ['all', 'hour'] as const;
export type TopWindow = (typeof topWindows)[number];

export class TopProductsQuery {
  @OptionalField()
  @Type(() => Number)
  @IsInt({ message: 'n must be an integer between 1 and 50' })
  @Min(1, { message: 'n must be an integer between 1 and 50' })
  @Max(50, { message: 'n must be an integer between 1 and 50' })
  n: number = 10;

  @OptionalField()
  @IsIn(topWindows, { message: `window must be one of ${topWindows.join(', ')}` })
  window: TopWindow = 'all';
}
