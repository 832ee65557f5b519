import { Body, Controller, Headers, Post, Req, Res, UseFilters } from '@nestjs/common';
import { CurrentIdentity, RequireIdentity, type Identity } from '@sdp/identity';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { answerFor, CheckoutErrorFilter, type CheckoutAnswer } from './checkout-answers';
import { CheckoutService } from './checkout.service';
import { CheckoutDto } from './dto/checkout.dto';
import { IDEMPOTENCY_KEY_HEADER, parseIdempotencyKey } from './idempotency-key';

@Controller('checkout')
@RequireIdentity('customer', 'admin')
@UseFilters(CheckoutErrorFilter)
export class CheckoutController {
  constructor(private readonly checkouts: CheckoutService) {}

  /** 202 {orderId, status}; a retry with the same Idempotency-Key gets the first answer again. */
  @Post()
  async checkout(
    @CurrentIdentity() identity: Identity,
    @Headers(IDEMPOTENCY_KEY_HEADER) rawKey: string | undefined,
    @Body() body: CheckoutDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CheckoutAnswer['body']> {
    // After the body's validation (a pipe), as before: a request bad in both is answered for its body.
    const key = parseIdempotencyKey(rawKey);
    const requestId = String(request.id);
    const outcome = await this.checkouts.checkout(identity, key, body, requestId);
    // A replay is sent exactly as stored: the answer given to the first attempt.
    const answer: CheckoutAnswer =
      outcome.kind === 'Replayed'
        ? { statusCode: outcome.statusCode, body: outcome.body as CheckoutAnswer['body'] }
        : answerFor(outcome, requestId);
    void reply.status(answer.statusCode).header('cache-control', 'no-store');
    if (outcome.kind === 'Replayed') void reply.header('idempotent-replayed', 'true');
    return answer.body;
  }
}
