/** What a limiter said about one request. */
export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Milliseconds until the current window ends and the counter starts again. */
  msBeforeReset: number;
  windowSeconds: number;
}

/** The fields rateLimitHeaders sets (withoutRateLimitHeaders takes them off cacheable answers). */
export const RATE_LIMIT_HEADERS = [
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
  'ratelimit-policy',
] as const;

/**
 * The IETF draft's fields (draft-ietf-httpapi-ratelimit-headers, the widely deployed -06 form):
 * RateLimit-Limit (quota per window), RateLimit-Remaining, RateLimit-Reset (delta seconds until the
 * quota resets, never 0 while we are still in the window) and RateLimit-Policy (`300;w=60`).
 * A refusal adds Retry-After with the same number of seconds.
 */
export function rateLimitHeaders(decision: RateLimitDecision): Record<string, string> {
  const reset = resetSeconds(decision.msBeforeReset);
  const headers: Record<string, string> = {
    'ratelimit-limit': String(decision.limit),
    'ratelimit-remaining': String(Math.max(0, decision.remaining)),
    'ratelimit-reset': String(reset),
    'ratelimit-policy': `${decision.limit};w=${decision.windowSeconds}`,
  };
  if (!decision.allowed) headers['retry-after'] = String(reset);
  return headers;
}

/** Round up: telling a client to come back a fraction of a second too early earns it another 429. */
export const resetSeconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));
