import { OptionalField } from '@sdp/bootstrap';
import { IsInt, IsNumber, Max, Min } from 'class-validator';
import { MAX_PSP_LATENCY_MS } from '../../config';

/** PUT /admin/psp: change the simulator on a running stack. Every field is optional. */
export class UpdatePspSettingsDto {
  @OptionalField()
  @IsInt({ message: 'latencyMs must be an integer number of milliseconds' })
  @Min(0, { message: `latencyMs must be between 0 and ${MAX_PSP_LATENCY_MS}` })
  @Max(MAX_PSP_LATENCY_MS, { message: `latencyMs must be between 0 and ${MAX_PSP_LATENCY_MS}` })
  latencyMs?: number;

  @OptionalField()
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'failureRate must be a number' })
  @Min(0, { message: 'failureRate must be between 0 and 1' })
  @Max(1, { message: 'failureRate must be between 0 and 1' })
  failureRate?: number;

  @OptionalField()
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'timeoutRate must be a number' })
  @Min(0, { message: 'timeoutRate must be between 0 and 1' })
  @Max(1, { message: 'timeoutRate must be between 0 and 1' })
  timeoutRate?: number;
}

export const pspSettingFields = ['latencyMs', 'failureRate', 'timeoutRate'] as const;
