import { Controller, HttpCode, Post } from '@nestjs/common';
import { RequireIdentity } from '@sdp/identity';
import { SweeperService, type SweepResult } from './sweeper.service';

/** Runs one sweeper tick now (tests and demos should not wait for the interval). */
@Controller('admin/sweeper')
@RequireIdentity('admin')
export class SweeperController {
  constructor(private readonly sweeper: SweeperService) {}

  @Post('run')
  @HttpCode(200)
  run(): Promise<SweepResult> {
    return this.sweeper.runOnce();
  }
}
