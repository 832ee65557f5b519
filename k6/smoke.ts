// Every public route once, as an anonymous visitor, a customer and the admin: the fastest "is the
// whole path up" check (edge → gateway → lb → services). k6 run k6/smoke.ts
import { check, group } from 'k6';
import http, { type RefinedResponse, type ResponseType } from 'k6/http';
import type { Options } from 'k6/options';
import {
  ADMIN_EMAIL,
  api,
  BASE_URL,
  bearer,
  checkout,
  customerEmail,
  login,
  sku,
  summaryText,
  type SummaryData,
} from './lib/api.ts';

export const options: Options = {
  vus: 1,
  iterations: 1,
  thresholds: {
    checks: ['rate==1'],
    http_req_failed: ['rate==0'],
    http_req_duration: ['p(95)<1000'],
  },
};

const ok = (name: string, res: RefinedResponse<ResponseType | undefined>, status = 200) =>
  check(res, { [`${name}: ${status}`]: (r) => r.status === status });

export default function (): void {
  group('anonymous', () => {
    ok('storefront /', http.get(`${BASE_URL}/`));
    ok('GET /api/products', http.get(api('/products?page=1&limit=5')));
    const product = http.get(api('/products/1'));
    ok('GET /api/products/1', product);
    check(product, { 'edge says where the answer came from': (r) => !!r.headers['X-Cache-Status'] });
    ok('GET /api/products/top', http.get(api('/products/top?n=5')));
    ok('GET /api/stock/:sku', http.get(api(`/stock/${sku(1)}`)));
    ok('GET /api/openapi.json', http.get(api('/openapi.json')));
    ok('GET /api/cart without a token', http.get(api('/cart')), 401);
  });

  group('customer', () => {
    const token = login(customerEmail(1));
    const h = { headers: bearer(token) };
    ok('DELETE /api/cart', http.del(api('/cart'), null, h));
    ok(
      'POST /api/cart/items',
      http.post(api('/cart/items'), JSON.stringify({ sku: sku(2), quantity: 1 }), h),
    );
    ok(
      'PATCH /api/cart/items/:sku',
      http.patch(api(`/cart/items/${sku(2)}`), JSON.stringify({ quantity: 2 }), h),
    );
    ok('GET /api/cart', http.get(api('/cart'), h));
    ok('DELETE /api/cart/items/:sku', http.del(api(`/cart/items/${sku(2)}`), null, h));
    const placed = checkout(token, [{ sku: sku(3), quantity: 1 }]);
    ok('POST /api/checkout', placed, 202);
    const orderId = (placed.json() as { orderId?: string }).orderId;
    ok('GET /api/orders', http.get(api('/orders'), h));
    ok('GET /api/orders/:id', http.get(api(`/orders/${orderId}`), h));
    ok('GET /api/notifications', http.get(api('/notifications'), h));
  });

  group('admin', () => {
    const h = { headers: bearer(login(ADMIN_EMAIL)) };
    const stock = http.get(api(`/stock/${sku(4)}`));
    const onHand = (stock.json() as { onHand: number }).onHand;
    ok('PUT /api/admin/stock/:sku', http.put(api(`/admin/stock/${sku(4)}`), JSON.stringify({ onHand }), h));
    ok('GET /api/admin/psp', http.get(api('/admin/psp'), h));
    ok('GET /api/cart as admin (customers only)', http.get(api('/cart'), h), 403);
  });
}

export function handleSummary(data: SummaryData): Record<string, string> {
  return {
    stdout: summaryText('smoke: every route once', data, [
      ['checks passed (rate)', 'checks', 'rate'],
      ['requests', 'http_reqs', 'count'],
      ['failed requests (rate)', 'http_req_failed', 'rate'],
      ['p95 latency (ms)', 'http_req_duration', 'p(95)'],
    ]),
  };
}
