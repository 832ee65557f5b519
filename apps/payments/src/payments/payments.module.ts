import { Module } from '@nestjs/common';
import { PspModule } from '../psp/psp.module';
import { PaymentsRepository } from './payments.repository';
import { PaymentsService } from './payments.service';

@Module({
  imports: [PspModule],
  providers: [PaymentsService, PaymentsRepository],
})
export class PaymentsModule {}
