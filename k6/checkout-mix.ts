// A realistic mix: most visitors browse, some fill a cart, a few check out (spread over many SKUs
// and customers), ramping up and down. Shows the whole path under a believable load.
// k6 run -e DEMO_PASSWORD=... k6/checkout-mix.ts   (PEAK_VUS=50)
import { check, group, sleep } from 'k6';
import http from 'k6/http';
import { Counter } from 'k6/metrics';
import type { Options } from 'k6/options';
import {
  api,
  bearer,
  checkout,
  customerEmail,
  login,
  sku,
  summaryText,
  type SummaryData,
  zipfSampler,
} from './lib/api.ts';

const PEAK = Number(__ENV.PEAK_VUS || 30);
const nextProduct = zipfSampler(1200);
const orders = new Counter('mix_orders_accepted');

export const options: Options = {
  scenarios: {
    mix: {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: [
        { duration: '20s', target: PEAK },
        { duration: __ENV.DURATION || '1m', target: PEAK },
        { duration: '10s', target: 0 },
      ],
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    'http_req_duration{group:::browse}': ['p(95)<200', 'p(99)<500'],
    'http_req_duration{group:::cart}': ['p(95)<300', 'p(99)<800'],
    'http_req_duration{group:::checkout}': ['p(95)<1000', 'p(99)<3000'],
    checks: ['rate>0.99'],
  },
};

// One customer per VU, logged in on the VU's first iteration that needs it.
let token: string | undefined;

export default function (): void {
  const roll = Math.random();
  group('browse', () => {
    check(http.get(api('/products?page=1&limit=20')), { 'list: 200': (r) => r.status === 200 });
    for (let i = 0; i < 3; i++) {
      const res = http.get(api(`/products/${nextProduct()}`), { tags: { name: 'GET /api/products/:id' } });
      check(res, { 'product: 200': (r) => r.status === 200 });
      sleep(0.3);
    }
  });
  if (roll < 0.3) {
    token ??= login(customerEmail(__VU));
    const h = { headers: bearer(token) };
    const item = sku(nextProduct());
    group('cart', () => {
      const res = http.post(api('/cart/items'), JSON.stringify({ sku: item, quantity: 1 }), h);
      check(res, { 'add to cart: 200': (r) => r.status === 200 });
      check(http.get(api('/cart'), h), { 'cart: 200': (r) => r.status === 200 });
    });
    if (roll < 0.1) {
      group('checkout', () => {
        const res = checkout(token!);
        check(res, { 'checkout: 202 or 409': (r) => r.status === 202 || r.status === 409 });
        if (res.status === 202) orders.add(1);
      });
    } else {
      http.del(api('/cart'), null, h);
    }
  }
  sleep(1);
}

export function handleSummary(data: SummaryData): Record<string, string> {
  return {
    stdout: summaryText(`checkout mix: up to ${PEAK} VUs`, data, [
      ['requests per second', 'http_reqs', 'rate'],
      ['orders accepted', 'mix_orders_accepted', 'count'],
      ['p95 latency, all (ms)', 'http_req_duration', 'p(95)'],
      ['p99 latency, all (ms)', 'http_req_duration', 'p(99)'],
      ['failed requests (rate)', 'http_req_failed', 'rate'],
    ]),
  };
}
