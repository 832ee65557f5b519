import { BadRequestException, Injectable, Logger } from '@nestjs/common';
import { pspSettingFields, type UpdatePspSettingsDto } from './dto/update-psp-settings.dto';
import { PaymentProvider, type PspSettings } from './payment-provider';

/**
 * The simulator's runtime settings. They live in this replica's memory (payments runs one replica);
 * with several replicas each would need the PUT, or the settings would move to Redis.
 */
@Injectable()
export class PspService {
  private readonly logger = new Logger(PspService.name);

  constructor(private readonly provider: PaymentProvider) {}

  settings(): PspSettings {
    return this.provider.settings();
  }

  update(changes: UpdatePspSettingsDto): PspSettings {
    const given = pspSettingFields.filter((field) => changes[field] !== undefined);
    if (given.length === 0) {
      throw new BadRequestException(`body must set at least one of ${pspSettingFields.join(', ')}`);
    }
    const updated = this.provider.configure(Object.fromEntries(given.map((f) => [f, changes[f]])));
    this.logger.log(`PSP settings changed: ${JSON.stringify(updated)}`);
    return updated;
  }
}
