import { Body, Controller, Module, Post } from '@nestjs/common';
import { ObservabilityModule } from '@sdp/observability';
import { IsInt, Min } from 'class-validator';
import { createServiceApp } from './create-app';

class OrderDto {
  @IsInt()
  @Min(1)
  quantity!: number;
}

@Controller('orders')
class OrdersController {
  @Post()
  create(@Body() body: OrderDto): { quantity: number; type: string } {
    return { quantity: body.quantity, type: body.constructor.name };
  }
}

@Module({
  imports: [ObservabilityModule.forRoot({ service: 'demo', instanceId: 'demo-1', logLevel: 'silent' })],
  controllers: [OrdersController],
})
class DemoModule {}

describe(createServiceApp.name, () => {
  it('builds a Fastify app that validates bodies strictly and transforms them into DTO instances', async () => {
    const app = await createServiceApp({ module: DemoModule });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    try {
      const ok = await app.inject({ method: 'POST', url: '/orders', payload: { quantity: 2 } });
      expect(ok.json()).toEqual({ quantity: 2, type: 'OrderDto' });

      const unknown = await app.inject({
        method: 'POST',
        url: '/orders',
        payload: { quantity: 2, price: 0 },
      });
      expect(unknown.statusCode).toBe(400);
      expect(unknown.json().message).toBe('property price should not exist');

      const bad = await app.inject({ method: 'POST', url: '/orders', payload: { quantity: 0 } });
      expect(bad.statusCode).toBe(400);
      expect(bad.headers['x-instance-id']).toBe('demo-1');
    } finally {
      await app.close();
    }
  });
});
