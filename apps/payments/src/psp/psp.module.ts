import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PAYMENTS_CONFIG, type PaymentsConfig } from '../config';
import { PaymentProvider, PgChargeLedger } from './payment-provider';
import { PspController } from './psp.controller';
import { PspService } from './psp.service';

@Module({
  controllers: [PspController],
  providers: [
    {
      provide: PaymentProvider,
      inject: [DataSource, PAYMENTS_CONFIG],
      useFactory: (dataSource: DataSource, config: PaymentsConfig) =>
        new PaymentProvider(new PgChargeLedger(dataSource, config.DB_SCHEMA), {
          latencyMs: config.PSP_LATENCY_MS,
          failureRate: config.PSP_FAILURE_RATE,
          timeoutRate: config.PSP_TIMEOUT_RATE,
          timeoutMs: config.PSP_TIMEOUT_MS,
        }),
    },
    PspService,
  ],
  exports: [PaymentProvider],
})
export class PspModule {}
