import { rateLimitHeaders, resetSeconds } from './rate-limit-headers';

describe(rateLimitHeaders.name, () => {
  const base = { limit: 300, windowSeconds: 60 };

  it('reports quota, what is left and the seconds until the window resets', () => {
    expect(rateLimitHeaders({ ...base, allowed: true, remaining: 299, msBeforeReset: 59_990 })).toEqual({
      'ratelimit-limit': '300',
      'ratelimit-remaining': '299',
      'ratelimit-reset': '60',
      'ratelimit-policy': '300;w=60',
    });
  });

  it('adds Retry-After equal to RateLimit-Reset on a refusal, never a negative remainder', () => {
    const headers = rateLimitHeaders({ ...base, allowed: false, remaining: -4, msBeforeReset: 12_001 });
    expect(headers['ratelimit-remaining']).toBe('0');
    expect(headers['retry-after']).toBe('13');
    expect(headers['ratelimit-reset']).toBe('13');
  });

  it('rounds the reset up and never says 0 while the window is still open', () => {
    expect([1, 999, 1_000, 1_001, 0, -5].map(resetSeconds)).toEqual([1, 1, 1, 2, 1, 1]);
  });
});
