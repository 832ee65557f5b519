import { OptionalField } from '@sdp/bootstrap';
import { IsIn, IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { FLASH_SALE_LIMITS } from '../flash-sale.scenario';
import { KAFKA_DOWN_SECONDS } from '../kafka-down.scenario';

export const scenarioNames = [
  'flash-sale',
  'kill-replica',
  'payment-failures',
  'origin-down',
  'write-strategy',
  'lock-nodes-down',
  'kafka-down',
  'cache-down',
  'cdn-regions',
] as const;

/** POST /runs: which scenario, and its parameters (each scenario checks the ones it uses). */
export class StartRunDto {
  @IsString({ message: 'scenario must be a string' })
  @IsIn(scenarioNames, { message: `scenario must be one of ${scenarioNames.join(', ')}` })
  scenario!: string;

  @OptionalField()
  @IsInt({ message: 'buyers must be an integer' })
  @Min(1, { message: `buyers must be from 1 to ${FLASH_SALE_LIMITS.buyers}` })
  @Max(FLASH_SALE_LIMITS.buyers, { message: `buyers must be from 1 to ${FLASH_SALE_LIMITS.buyers}` })
  buyers?: number;

  @OptionalField()
  @IsInt({ message: 'units must be an integer' })
  @Min(1, { message: `units must be from 1 to ${FLASH_SALE_LIMITS.units}` })
  @Max(FLASH_SALE_LIMITS.units, { message: `units must be from 1 to ${FLASH_SALE_LIMITS.units}` })
  units?: number;

  @OptionalField()
  @IsString({ message: 'service must be a string' })
  @Matches(/^[a-z][a-z-]{0,30}$/, { message: 'service must be a service name' })
  service?: string;

  @OptionalField()
  @IsString({ message: 'replica must be a string' })
  @Matches(/^[a-z][a-z-]{0,30}-\d{1,2}$/, { message: 'replica must look like catalog-2' })
  replica?: string;

  @OptionalField()
  @IsInt({ message: 'seconds must be an integer' })
  @Min(KAFKA_DOWN_SECONDS.min, {
    message: `seconds must be from ${KAFKA_DOWN_SECONDS.min} to ${KAFKA_DOWN_SECONDS.max}`,
  })
  @Max(KAFKA_DOWN_SECONDS.max, {
    message: `seconds must be from ${KAFKA_DOWN_SECONDS.min} to ${KAFKA_DOWN_SECONDS.max}`,
  })
  seconds?: number;
}
