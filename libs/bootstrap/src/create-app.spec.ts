import { Body, Controller, Get, Module, Param, Post, Query } from '@nestjs/common';
import { ObservabilityModule } from '@sdp/observability';
import { IsInt, IsString, Min } from 'class-validator';
import { createServiceApp } from './create-app';
import { OptionalField } from './request-input';

class OrderDto {
  @IsInt()
  @Min(1)
  quantity!: number;

  @OptionalField()
  @IsString({ message: 'note must be a string' })
  note?: string;
}

class SearchQuery {
  @OptionalField()
  @IsString()
  q?: string;
}

@Controller('orders')
class OrdersController {
  @Post()
  create(@Body() body: OrderDto): { quantity: number; type: string } {
    return { quantity: body.quantity, type: body.constructor.name };
  }

  @Get()
  search(@Query() { q }: SearchQuery): { q: string | null } {
    return { q: q ?? null };
  }

  @Get(':ref')
  get(@Param('ref') ref: string): { ref: string } {
    return { ref };
  }
}

@Module({
  imports: [ObservabilityModule.forRoot({ service: 'demo', instanceId: 'demo-1', logLevel: 'silent' })],
  controllers: [OrdersController],
})
class DemoModule {}

describe(createServiceApp.name, () => {
  let app: Awaited<ReturnType<typeof createServiceApp>>;
  const post = (payload: string | object) =>
    app.inject({
      method: 'POST',
      url: '/orders',
      payload,
      headers: { 'content-type': 'application/json' },
    });

  beforeAll(async () => {
    app = await createServiceApp({ module: DemoModule });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await app.close();
  });

  it('builds a Fastify app that validates bodies strictly and transforms them into DTO instances', async () => {
    const ok = await post({ quantity: 2 });
    expect(ok.json()).toEqual({ quantity: 2, type: 'OrderDto' });

    const unknown = await post({ quantity: 2, price: 0 });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().message).toBe('property price should not exist');

    const bad = await post({ quantity: 0 });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['x-instance-id']).toBe('demo-1');
  });

  it('validates a JSON null in an optional field instead of skipping it', async () => {
    expect((await post({ quantity: 2 })).statusCode).toBe(201);
    const nulled = await post({ quantity: 2, note: null });
    expect(nulled.statusCode).toBe(400);
    expect(nulled.json().message).toBe('note must be a string');
  });

  it.each([
    ['a NUL in a body field', { quantity: 2, note: 'a\u0000b' }, 'note must not contain NUL'],
    ['a lone surrogate in a body field', { quantity: 2, note: '\ud800' }, 'note must not contain NUL'],
    [
      'a body nested 100 000 levels deep (a 500 from class-transformer before)',
      `{"quantity":2,"note":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
      'body must not nest deeper than 16 levels',
    ],
  ])('answers %s with a 400 in the error shape', async (_case, payload, message) => {
    const response = await post(payload);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: expect.stringContaining(message),
      requestId: expect.any(String),
    });
  });

  it('refuses NUL characters in query strings and path parameters too', async () => {
    const query = await app.inject({ method: 'GET', url: '/orders?q=a%00b' });
    expect(query.statusCode).toBe(400);
    expect(query.json().message).toContain('query parameter q must not contain NUL');
    const path = await app.inject({ method: 'GET', url: '/orders/a%00b' });
    expect(path.statusCode).toBe(400);
    expect(path.json().message).toContain('path parameter ref must not contain NUL');
    expect((await app.inject({ method: 'GET', url: '/orders/ab?q=xy' })).statusCode).toBe(200);
  });
});
