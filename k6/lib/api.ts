// The one helper every load test shares: where the edge is, demo logins, checkout with an
// Idempotency-Key, Zipf sampling and the summary figures. k6 runs this TypeScript directly (>= 0.57).
import { check, fail } from 'k6';
import http, { type RefinedResponse, type ResponseType } from 'k6/http';

/** The edge (the only public entry point); compose's k6 service sets http://edge:8080. */
export const BASE_URL = (__ENV.BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
export const api = (path: string): string => `${BASE_URL}/api${path}`;

/** customer001..customer600@example.com share DEMO_PASSWORD; admin@example.com too. */
export const CUSTOMERS = 600;
export const customerEmail = (n: number): string =>
  `customer${String(((n - 1) % CUSTOMERS) + 1).padStart(3, '0')}@example.com`;
export const ADMIN_EMAIL = 'admin@example.com';

export function demoPassword(): string {
  const password = __ENV.DEMO_PASSWORD;
  if (!password) fail('DEMO_PASSWORD is not set: pass -e DEMO_PASSWORD=... (the value in .env)');
  return password;
}

export const json = { 'Content-Type': 'application/json' };
export const bearer = (token: string): Record<string, string> => ({
  ...json,
  Authorization: `Bearer ${token}`,
});

/** Logs in through the edge; fails the iteration (not the whole test) when it cannot. */
export function login(email: string, password = demoPassword()): string {
  const res = http.post(api('/auth/login'), JSON.stringify({ email, password }), {
    headers: json,
    tags: { name: 'POST /api/auth/login' },
  });
  const ok = check(res, { 'login: 200 with a token': (r) => r.status === 200 && !!tokenOf(r) });
  if (!ok)
    fail(`login ${email}: ${res.status} ${typeof res.body === 'string' ? res.body.slice(0, 200) : ''}`);
  return tokenOf(res)!;
}

const tokenOf = (res: RefinedResponse<ResponseType | undefined>): string | undefined => {
  try {
    return (res.json() as { accessToken?: string }).accessToken;
  } catch {
    return undefined;
  }
};

export interface Line {
  sku: string;
  quantity: number;
}

/** A key per attempt: a retry of the same attempt must reuse it, a new attempt must not. */
export const idempotencyKey = (): string =>
  `k6-${__VU}-${__ITER}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;

/** POST /api/checkout; 202 = accepted (payment follows), 409 = out of stock, 429 = rate limited. */
export function checkout(token: string, items?: Line[], key = idempotencyKey()) {
  return http.post(api('/checkout'), JSON.stringify(items ? { items } : {}), {
    headers: { ...bearer(token), 'Idempotency-Key': key },
    tags: { name: 'POST /api/checkout' },
    responseCallback: http.expectedStatuses(202, 409),
  });
}

/** Product ids 1..n with P(k) ∝ 1/k^s: a few hot products, a long tail (what real catalogs see). */
export function zipfSampler(n: number, s = 1.1): () => number {
  const cumulative: number[] = [];
  let total = 0;
  for (let k = 1; k <= n; k++) {
    total += 1 / Math.pow(k, s);
    cumulative.push(total);
  }
  return () => {
    const u = Math.random() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  };
}

export const sku = (index: number): string => `SKU-${String(index).padStart(6, '0')}`;

interface MetricValues {
  [stat: string]: number;
}
export interface SummaryData {
  metrics: Record<string, { values: MetricValues; thresholds?: Record<string, { ok: boolean }> }>;
}

/** One line per figure that matters, then every threshold with ✓/✗. */
export function summaryText(title: string, data: SummaryData, figures: [string, string, string][]): string {
  const lines = [`\n== ${title} ==`];
  for (const [label, metric, stat] of figures) {
    const value = data.metrics[metric]?.values[stat];
    lines.push(`  ${label.padEnd(36)} ${value === undefined ? '-' : round(value)}`);
  }
  lines.push('  thresholds:');
  for (const [name, metric] of Object.entries(data.metrics)) {
    for (const [rule, { ok }] of Object.entries(metric.thresholds ?? {}))
      lines.push(`    ${ok ? '✓' : '✗'} ${name}: ${rule}`);
  }
  return `${lines.join('\n')}\n`;
}

const round = (v: number): string => (Number.isInteger(v) ? String(v) : v.toFixed(2));
