import { Body, Controller, Headers, Post, Req, Res } from '@nestjs/common';
import { CurrentIdentity, RequireIdentity, type Identity } from '@sdp/identity';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CheckoutService, type CheckoutResult } from './checkout.service';
import { CheckoutDto } from './dto/checkout.dto';
import { IDEMPOTENCY_KEY_HEADER } from './idempotency-key';

@Controller('checkout')
@RequireIdentity('customer', 'admin')
export class CheckoutController {
  constructor(private readonly checkouts: CheckoutService) {}

  /** 202 {orderId, status}; a retry with the same Idempotency-Key gets the first answer again. */
  @Post()
  async checkout(
    @CurrentIdentity() identity: Identity,
    @Headers(IDEMPOTENCY_KEY_HEADER) key: string | undefined,
    @Body() body: CheckoutDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CheckoutResult['body']> {
    const result = await this.checkouts.checkout(identity, key, body, String(request.id));
    void reply.status(result.statusCode).header('cache-control', 'no-store');
    if (result.replayed) void reply.header('idempotent-replayed', 'true');
    return result.body;
  }
}
