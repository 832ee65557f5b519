import { writeStrategies, type WriteStrategy } from '@sdp/cache';
import { IsIn } from 'class-validator';

export class WriteStrategyDto {
  @IsIn(writeStrategies, { message: `strategy must be one of ${writeStrategies.join(', ')}` })
  strategy!: WriteStrategy;
}
