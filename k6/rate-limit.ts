// The gateway's rate limit at work: one customer sends far more than RATE_LIMIT_PER_MINUTE (300 by
// default) and gets 429s with Retry-After and RateLimit headers, while a second customer at a
// normal pace is never limited (limits are per user). k6 run -e DEMO_PASSWORD=... k6/rate-limit.ts
import { check } from 'k6';
import http from 'k6/http';
import { Counter, Rate } from 'k6/metrics';
import type { Options } from 'k6/options';
import { api, bearer, customerEmail, login, summaryText, type SummaryData } from './lib/api.ts';

const limited = new Counter('rate_limited_429');
const politeLimited = new Rate('polite_user_limited');

export const options: Options = {
  scenarios: {
    greedy: {
      executor: 'constant-arrival-rate',
      rate: 20,
      timeUnit: '1s',
      duration: '30s',
      preAllocatedVUs: 10,
      exec: 'greedy',
    },
    polite: {
      executor: 'constant-arrival-rate',
      rate: 1,
      timeUnit: '1s',
      duration: '30s',
      preAllocatedVUs: 2,
      exec: 'polite',
    },
  },
  thresholds: {
    // 600 requests in 30 s against 300/min: the limit must bite...
    rate_limited_429: ['count>100'],
    // ...for the greedy user only, and every 429 must say when to come back.
    polite_user_limited: ['rate==0'],
    'checks{check:429 carries Retry-After}': ['rate==1'],
  },
};

interface Data {
  greedy: string;
  polite: string;
}

export function setup(): Data {
  return { greedy: login(customerEmail(599)), polite: login(customerEmail(600)) };
}

const expected = { responseCallback: http.expectedStatuses(200, 429) };

export function greedy(data: Data): void {
  const res = http.get(api('/cart'), {
    headers: bearer(data.greedy),
    tags: { name: 'GET /api/cart (greedy)' },
    ...expected,
  });
  if (res.status === 429) {
    limited.add(1);
    check(res, { '429 carries Retry-After': (r) => !!r.headers['Retry-After'] });
  }
}

export function polite(data: Data): void {
  const res = http.get(api('/cart'), {
    headers: bearer(data.polite),
    tags: { name: 'GET /api/cart (polite)' },
    ...expected,
  });
  politeLimited.add(res.status === 429);
}

export function handleSummary(data: SummaryData): Record<string, string> {
  return {
    stdout: summaryText('rate limit: one greedy customer, one polite', data, [
      ['429s (greedy user)', 'rate_limited_429', 'count'],
      ['polite user limited (rate, must be 0)', 'polite_user_limited', 'rate'],
      ['requests', 'http_reqs', 'count'],
    ]),
  };
}
