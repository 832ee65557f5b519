import { Module } from '@nestjs/common';
import { RunnerClient } from '../runner/runner-client';
import { CdnProbes } from './cdn-probes';
import { Observer } from './observer.service';
import { ServerProbes } from './server-probes';
import { Targets } from './targets';

@Module({
  providers: [Observer, ServerProbes, CdnProbes, Targets, RunnerClient],
  exports: [Observer, RunnerClient, CdnProbes],
})
export class ObserverModule {}
