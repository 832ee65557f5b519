import { Body, Controller, Get, Header, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CurrentIdentity, RequireIdentity, type Identity } from '@sdp/identity';
import { StartRunDto } from './dto/start-run.dto';
import type { ScenarioRun } from './scenario-runs.repository';
import { ScenariosService, type ScenarioView } from './scenarios.service';

@Controller()
@RequireIdentity('admin')
export class ScenariosController {
  constructor(private readonly scenarios: ScenariosService) {}

  @Get('scenarios')
  @Header('Cache-Control', 'no-store')
  list(): { items: ScenarioView[] } {
    return { items: this.scenarios.list() };
  }

  @Get('runs')
  @Header('Cache-Control', 'no-store')
  async runs(): Promise<{ items: ScenarioRun[] }> {
    return { items: await this.scenarios.recent() };
  }

  @Get('runs/:id')
  @Header('Cache-Control', 'no-store')
  run(@Param('id', new ParseUUIDPipe({ version: '4' })) id: string): Promise<ScenarioRun> {
    return this.scenarios.get(id);
  }

  /** 202: the run starts now and goes on in the background; GET runs/:id or the stream follows it. */
  @Post('runs')
  @HttpCode(202)
  @Header('Cache-Control', 'no-store')
  start(
    @Body() { scenario, ...params }: StartRunDto,
    @CurrentIdentity() identity: Identity,
  ): Promise<ScenarioRun> {
    return this.scenarios.start(scenario, params, identity.userId);
  }
}
