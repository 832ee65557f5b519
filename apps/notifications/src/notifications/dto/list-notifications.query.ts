import { OptionalField } from '@sdp/bootstrap';
import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';

export class ListNotificationsQuery {
  @OptionalField()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1, { message: 'limit must be between 1 and 100' })
  @Max(100, { message: 'limit must be between 1 and 100' })
  limit: number = 20;
}
