import { Controller, Header, HttpCode, Post } from '@nestjs/common';
import type { CloseAuctionsResult } from '@sdp/contracts';
import { RequireIdentity } from '@sdp/identity';
import { CloserService } from './closer.service';

/** Runs one closing-job tick now (tests and demos should not wait for the interval). */
@Controller('admin/closer')
@RequireIdentity('admin')
export class CloserController {
  constructor(private readonly closer: CloserService) {}

  @Post('run')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  run(): Promise<CloseAuctionsResult> {
    return this.closer.runOnce();
  }
}
