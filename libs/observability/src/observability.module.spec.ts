import { Controller, Get, Module, NotFoundException } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { createFastifyAdapter } from './fastify-adapter';
import { ObservabilityModule } from './observability.module';
import { ReadinessService } from './readiness.service';

@Controller('things')
class ThingsController {
  @Get('missing')
  missing(): never {
    throw new NotFoundException('thing 1 not found');
  }
}

@Module({
  imports: [ObservabilityModule.forRoot({ service: 'demo', instanceId: 'demo-1', logLevel: 'silent' })],
  controllers: [ThingsController],
})
class DemoModule {}

// Boots a real Nest module through SWC-compiled code: proves decorator metadata is emitted (DI
// resolves constructor parameters by type) and the observability plumbing works end to end.
describe(ObservabilityModule.name, () => {
  let app: NestFastifyApplication;
  let readinessUp = true;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [DemoModule] }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(createFastifyAdapter(), { logger: false });
    app.get(ReadinessService).register('fake-db', async () => {
      if (!readinessUp) throw new Error('connection refused');
    });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await app.close();
  });

  it('resolves constructor dependencies by type (decorator metadata is emitted)', () => {
    expect(Reflect.getMetadata('design:paramtypes', ObservabilityModule)).toHaveLength(3);
  });

  it('echoes a request id and names the instance on every response', async () => {
    const res = await app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'req-42' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-request-id']).toBe('req-42');
    expect(res.headers['x-instance-id']).toBe('demo-1');
  });

  it('answers errors in one JSON shape carrying the request id', async () => {
    const res = await app.inject({ method: 'GET', url: '/things/missing' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'thing 1 not found',
      requestId: res.headers['x-request-id'],
    });
  });

  it('reports readiness from the registered checks, 503 when one is down', async () => {
    expect((await app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
    readinessUp = false;
    const res = await app.inject({ method: 'GET', url: '/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({
      status: 'not_ready',
      checks: { 'fake-db': { status: 'down', error: 'connection refused' } },
    });
    readinessUp = true;
  });

  it('exposes Prometheus metrics including the requests it answered', async () => {
    await app.inject({ method: 'GET', url: '/things/missing' });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toMatch(
      /http_requests_total\{method="GET",route="\/things\/missing",status="404"\} \d+/,
    );
    expect(res.body).toContain('process_cpu_user_seconds_total');
  });
});
