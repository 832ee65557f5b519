import { Module } from '@nestjs/common';
import { PspModule } from '../psp/psp.module';
import { RefundsRepository } from './refunds.repository';
import { RefundsService } from './refunds.service';

@Module({
  imports: [PspModule],
  providers: [RefundsService, RefundsRepository],
})
export class RefundsModule {}
