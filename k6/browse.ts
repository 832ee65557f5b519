// Product reads through the edge with Zipf-distributed popularity: a few products take most reads,
// so the edge cache answers most of them (watch edge_cache_hits) and catalog sees the long tail.
// k6 run k6/browse.ts   (RATE=200 DURATION=1m to change the load)
import { check } from 'k6';
import http from 'k6/http';
import { Rate } from 'k6/metrics';
import type { Options } from 'k6/options';
import { api, summaryText, type SummaryData, zipfSampler } from './lib/api.ts';

const PRODUCTS = Number(__ENV.PRODUCTS || 1200);
const next = zipfSampler(PRODUCTS, Number(__ENV.ZIPF_S || 1.1));
const edgeHits = new Rate('edge_cache_hits');

export const options: Options = {
  scenarios: {
    browse: {
      executor: 'constant-arrival-rate',
      rate: Number(__ENV.RATE || 100),
      timeUnit: '1s',
      duration: __ENV.DURATION || '30s',
      preAllocatedVUs: 20,
      maxVUs: 100,
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    'http_req_duration{scenario:browse}': ['p(95)<150', 'p(99)<400'],
    // Zipf traffic over a warm edge: most reads never leave nginx.
    edge_cache_hits: ['rate>0.5'],
    checks: ['rate>0.99'],
  },
};

export default function (): void {
  const id = next();
  const res = http.get(api(`/products/${id}`), { tags: { name: 'GET /api/products/:id' } });
  check(res, { 'product: 200': (r) => r.status === 200 });
  edgeHits.add(res.headers['X-Cache-Status'] === 'HIT');
}

export function handleSummary(data: SummaryData): Record<string, string> {
  return {
    stdout: summaryText('browse: Zipf product reads through the edge', data, [
      ['requests per second', 'http_reqs', 'rate'],
      ['edge cache hit ratio', 'edge_cache_hits', 'rate'],
      ['p95 latency (ms)', 'http_req_duration', 'p(95)'],
      ['p99 latency (ms)', 'http_req_duration', 'p(99)'],
      ['failed requests (rate)', 'http_req_failed', 'rate'],
    ]),
  };
}
