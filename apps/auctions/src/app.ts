import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServiceApp } from '@sdp/bootstrap';
import { AppModule } from './app.module';
import type { AuctionsConfig } from './config';

/** Builds the auctions app (used by main.ts, the tests and the benchmark, which start replicas in-process). */
export const createAuctionsApp = (config: AuctionsConfig): Promise<NestFastifyApplication> =>
  createServiceApp(AppModule.forRoot(config));
