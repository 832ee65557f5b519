import { HttpException, HttpStatus } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import {
  RATE_LIMIT_HEADERS,
  rateLimitHeaders,
  resetSeconds,
  type RateLimitDecision,
} from './rate-limit-headers';

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

/**
 * Takes the RateLimit-* headers off an answer the edge may cache: a cached copy is served to every
 * client, and one caller's remaining quota must not travel to the others (it would also be stale).
 * 429s are never cached, so a refusal keeps them.
 */
export function withoutRateLimitHeaders(reply: FastifyReply): void {
  for (const name of RATE_LIMIT_HEADERS) void reply.removeHeader(name);
}
