// THE route table: every public /api route the gateway proxies, in one place. Each entry says which
// upstream service answers it (reached through the lb at `${UPSTREAM_BASE_URL}/<service>`), the
// upstream path, who may call it, which rate limit it counts against and how long we wait.
// The gateway's own routes (/api/auth/*, /api/openapi.json) are controllers, not entries here.
// Keep src/openapi/openapi.document.ts in step (a unit test checks every entry is documented).

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type Upstream =
  'catalog' | 'inventory' | 'orders' | 'payments' | 'notifications' | 'delivery' | 'control' | 'auctions';
export const upstreams: readonly Upstream[] = [
  'catalog',
  'inventory',
  'orders',
  'payments',
  'notifications',
  'delivery',
  'control',
  'auctions',
];

/** public: anyone (no identity forwarded); customer: any signed-in user (customer or admin); admin: admins only. */
export type AuthRequirement = 'public' | 'customer' | 'admin';
export type RateLimitClass = 'default' | 'checkout' | 'auth';
/** standard: UPSTREAM_TIMEOUT_MS (3 s); checkout: CHECKOUT_TIMEOUT_MS (10 s; orders may queue behind a lock). */
export type TimeoutClass = 'standard' | 'checkout';

export interface RouteSpec {
  method: HttpMethod;
  /** Public path; `:name` matches one path segment. */
  path: string;
  upstream: Upstream;
  /** Upstream path; `:name` is replaced with the matched segment. */
  target: string;
  auth: AuthRequirement;
  rateLimit: RateLimitClass;
  timeout: TimeoutClass;
  /**
   * Server-Sent Events: the response is streamed through as it arrives, with no body timeout, and
   * the token may come as `?access_token=` because EventSource cannot send headers.
   */
  stream?: boolean;
}

const route = (
  method: HttpMethod,
  path: string,
  upstream: Upstream,
  target: string,
  auth: AuthRequirement,
  extra: Partial<Pick<RouteSpec, 'rateLimit' | 'timeout' | 'stream'>> = {},
): RouteSpec => ({
  method,
  path,
  upstream,
  target,
  auth,
  rateLimit: 'default',
  timeout: 'standard',
  ...extra,
});

export const routeTable: readonly RouteSpec[] = [
  // catalog: public reads the edge caches (the origin's Cache-Control passes through), admin writes
  route('GET', '/api/products', 'catalog', '/products', 'public'),
  route('GET', '/api/products/top', 'catalog', '/products/top', 'public'),
  route('GET', '/api/products/:id', 'catalog', '/products/:id', 'public'),
  route('PUT', '/api/admin/products/:id', 'catalog', '/products/:id', 'admin'),
  route('GET', '/api/me/recently-viewed', 'catalog', '/me/recently-viewed', 'customer'),
  route('POST', '/api/me/recently-viewed', 'catalog', '/me/recently-viewed', 'customer'),
  route('PUT', '/api/admin/cache/write-strategy', 'catalog', '/admin/cache/write-strategy', 'admin'),

  // inventory
  route('GET', '/api/stock/:sku', 'inventory', '/stock/:sku', 'public'),
  route('PUT', '/api/admin/stock/:sku', 'inventory', '/stock/:sku', 'admin'),
  route('POST', '/api/admin/sweeper/run', 'inventory', '/admin/sweeper/run', 'admin'),

  // orders: the caller's cart, checkout and orders
  route('GET', '/api/cart', 'orders', '/cart', 'customer'),
  route('DELETE', '/api/cart', 'orders', '/cart', 'customer'),
  route('POST', '/api/cart/items', 'orders', '/cart/items', 'customer'),
  route('PATCH', '/api/cart/items/:sku', 'orders', '/cart/items/:sku', 'customer'),
  route('DELETE', '/api/cart/items/:sku', 'orders', '/cart/items/:sku', 'customer'),
  route('POST', '/api/checkout', 'orders', '/checkout', 'customer', {
    rateLimit: 'checkout',
    timeout: 'checkout',
  }),
  route('GET', '/api/orders', 'orders', '/orders', 'customer'),
  route('GET', '/api/orders/:id', 'orders', '/orders/:id', 'customer'),

  // notifications
  route('GET', '/api/notifications', 'notifications', '/notifications', 'customer'),
  route('GET', '/api/notifications/stream', 'notifications', '/notifications/stream', 'customer', {
    stream: true,
  }),

  // payments: the PSP simulator's settings
  route('GET', '/api/admin/psp', 'payments', '/admin/psp', 'admin'),
  route('PUT', '/api/admin/psp', 'payments', '/admin/psp', 'admin'),

  // delivery: the order's courier (its owner only; delivery checks the owner) and the courier board
  route('GET', '/api/orders/:id/delivery', 'delivery', '/deliveries/:id', 'customer'),
  route('GET', '/api/admin/couriers', 'delivery', '/admin/couriers', 'admin'),
  // control: the live architecture page (docs/architecture.md). Admin only, figures included: they
  // show the stack's internals and load, and the scenarios break things on purpose.
  route('GET', '/api/admin/control/snapshot', 'control', '/snapshot', 'admin'),
  route('GET', '/api/admin/control/stream', 'control', '/stream', 'admin', { stream: true }),
  route('GET', '/api/admin/control/scenarios', 'control', '/scenarios', 'admin'),
  route('GET', '/api/admin/control/runs', 'control', '/runs', 'admin'),
  route('POST', '/api/admin/control/runs', 'control', '/runs', 'admin'),
  route('GET', '/api/admin/control/runs/:id', 'control', '/runs/:id', 'admin'),

  // auctions: anyone reads an auction (edge-cached for a second); customers bid; admins create and close
  route('GET', '/api/auctions/:id', 'auctions', '/auctions/:id', 'public'),
  route('POST', '/api/auctions/:id/bids', 'auctions', '/auctions/:id/bids', 'customer'),
  route('POST', '/api/admin/auctions', 'auctions', '/auctions', 'admin'),
  route('POST', '/api/admin/auctions/close', 'auctions', '/admin/closer/run', 'admin'),
];
