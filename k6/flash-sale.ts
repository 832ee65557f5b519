// The flash sale: many customers check out the same hot SKU at once. Inventory's Redlock + fencing
// token must sell exactly the stock: never more (oversold), and with the payment simulator's failure
// rate at 0 for the run, never fewer either. setup() sets the stock through the admin API; teardown()
// waits for the saga to settle and reads everything back through the API.
// k6 run -e DEMO_PASSWORD=... k6/flash-sale.ts   (BUYERS=200 STOCK=50 SKU=SKU-000777)
import { check, sleep } from 'k6';
import http from 'k6/http';
import { Counter, Gauge } from 'k6/metrics';
import type { Options } from 'k6/options';
import {
  ADMIN_EMAIL,
  api,
  bearer,
  checkout,
  customerEmail,
  login,
  summaryText,
  type SummaryData,
} from './lib/api.ts';

const BUYERS = Number(__ENV.BUYERS || 200);
const STOCK = Number(__ENV.STOCK || 50);
const HOT_SKU = __ENV.SKU || 'SKU-000777';

const accepted = new Counter('flash_checkouts_accepted');
const soldOut = new Counter('flash_checkouts_sold_out');
const confirmed = new Gauge('flash_units_confirmed');
const oversold = new Gauge('flash_units_oversold');
const unsold = new Gauge('flash_units_unsold');

export const options: Options = {
  setupTimeout: '120s',
  teardownTimeout: '120s',
  scenarios: {
    // Every buyer tries once, all at the same moment.
    rush: { executor: 'per-vu-iterations', vus: BUYERS, iterations: 1, maxDuration: '60s' },
  },
  thresholds: {
    // The invariant, from what the API reports after the saga settled.
    flash_units_oversold: ['value==0'],
    flash_units_unsold: ['value==0'],
    'checks{check:flash-sale: confirmed units == stock}': ['rate==1'],
    'http_req_duration{name:POST /api/checkout}': ['p(95)<2000', 'p(99)<5000'],
    // 202 (got one) and 409 (sold out) are both correct answers; anything else is an error.
    'http_req_failed{name:POST /api/checkout}': ['rate<0.01'],
  },
};

interface Data {
  tokens: string[];
  adminToken: string;
  pspBefore: unknown;
  /** Orders from earlier runs (same users, same SKU) are not counted. */
  startedAt: number;
}

export function setup(): Data {
  const startedAt = Date.now();
  const adminToken = login(ADMIN_EMAIL);
  const admin = { headers: bearer(adminToken) };
  const stock = http.put(api(`/admin/stock/${HOT_SKU}`), JSON.stringify({ onHand: STOCK }), admin);
  check(stock, { 'setup: stock set': (r) => r.status === 200 });
  const psp = http.get(api('/admin/psp'), admin);
  // Every payment succeeds during the sale, so confirmed orders must equal the stock exactly.
  http.put(api('/admin/psp'), JSON.stringify({ failureRate: 0 }), admin);
  // Logins happen before the rush (the gateway limits logins per client IP: raise
  // AUTH_RATE_LIMIT_PER_MINUTE for load tests, see docs/load-testing.md).
  const tokens = Array.from({ length: BUYERS }, (_, i) => login(customerEmail(i + 1)));
  return { tokens, adminToken, pspBefore: psp.status === 200 ? psp.json() : null, startedAt };
}

export default function (data: Data): void {
  const res = checkout(data.tokens[__VU - 1], [{ sku: HOT_SKU, quantity: 1 }]);
  check(res, { 'checkout: 202 or 409': (r) => r.status === 202 || r.status === 409 });
  if (res.status === 202) accepted.add(1);
  if (res.status === 409) soldOut.add(1);
}

interface OrderView {
  status: string;
  createdAt: string;
  items: { sku: string; quantity: number }[];
}

export function teardown(data: Data): void {
  const admin = { headers: bearer(data.adminToken) };
  // Settled: no hold left on the SKU (every order confirmed or cancelled and committed/released).
  let stock = { onHand: -1, reserved: -1, sold: -1, available: -1 };
  for (let i = 0; i < 60; i++) {
    stock = http.get(api(`/stock/${HOT_SKU}`)).json() as typeof stock;
    if (stock.reserved === 0) break;
    sleep(1);
  }
  let units = 0;
  let pending = 0;
  for (const token of data.tokens) {
    const res = http.get(api('/orders?limit=100'), { headers: bearer(token) });
    const page = res.json() as unknown as { items?: OrderView[] };
    for (const order of (page.items ?? []).filter((o) => Date.parse(o.createdAt) >= data.startedAt)) {
      const qty = order.items.filter((l) => l.sku === HOT_SKU).reduce((sum, l) => sum + l.quantity, 0);
      if (order.status === 'CONFIRMED') units += qty;
      if (order.status === 'PENDING_PAYMENT') pending += qty;
    }
  }
  confirmed.add(units);
  oversold.add(Math.max(0, units - STOCK));
  unsold.add(Math.max(0, STOCK - units));
  console.log(
    `flash sale ${HOT_SKU}: stock ${STOCK}, confirmed units ${units}, pending ${pending}, inventory says ` +
      `sold ${stock.sold} reserved ${stock.reserved} available ${stock.available}`,
  );
  check(units, { 'flash-sale: confirmed units == stock': (u) => u === STOCK });
  check(stock, { 'flash-sale: no hold and no unit left': (s) => s.reserved === 0 && s.available === 0 });
  if (data.pspBefore) http.put(api('/admin/psp'), JSON.stringify(data.pspBefore), admin);
}

export function handleSummary(data: SummaryData): Record<string, string> {
  return {
    stdout: summaryText(`flash sale: ${BUYERS} buyers, ${STOCK} units of ${HOT_SKU}`, data, [
      ['checkouts accepted (202)', 'flash_checkouts_accepted', 'count'],
      ['checkouts sold out (409)', 'flash_checkouts_sold_out', 'count'],
      ['units confirmed (read back)', 'flash_units_confirmed', 'value'],
      ['units oversold (must be 0)', 'flash_units_oversold', 'value'],
      ['units unsold (must be 0)', 'flash_units_unsold', 'value'],
      ['checkout p95 (ms)', 'http_req_duration', 'p(95)'],
      ['checkout p99 (ms)', 'http_req_duration', 'p(99)'],
    ]),
  };
}
