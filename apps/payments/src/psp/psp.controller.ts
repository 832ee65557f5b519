import { Body, Controller, Get, Header, Put } from '@nestjs/common';
import { RequireIdentity } from '@sdp/identity';
import { UpdatePspSettingsDto } from './dto/update-psp-settings.dto';
import type { PspSettings } from './payment-provider';
import { PspService } from './psp.service';

@Controller('admin/psp')
@RequireIdentity('admin')
export class PspController {
  constructor(private readonly psp: PspService) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  get(): PspSettings {
    return this.psp.settings();
  }

  @Put()
  @Header('Cache-Control', 'no-store')
  update(@Body() changes: UpdatePspSettingsDto): PspSettings {
    return this.psp.update(changes);
  }
}
