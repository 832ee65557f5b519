import { HttpException, HttpStatus } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { rateLimitHeaders, resetSeconds, type RateLimitDecision } from './rate-limit-headers';

/**
 * Puts the RateLimit-* headers on the reply; for a refusal, throws the 429 (the error filter sends
 * it in the one error shape, keeping the headers, with Retry-After).
 */
export function applyRateLimit(reply: FastifyReply, decision: RateLimitDecision | undefined): void {
  if (!decision) return; // store unavailable: failed open, nothing truthful to report
  void reply.headers(rateLimitHeaders(decision));
  if (!decision.allowed) {
    throw new HttpException(
      `rate limit of ${decision.limit} requests per ${decision.windowSeconds} s exceeded; retry in ${resetSeconds(decision.msBeforeReset)} s`,
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}
