// The public API as clients see it through the edge (`/api/...`), in OpenAPI 3.1, generated: every
// route comes from src/routes/route-table.ts (plus the gateway's own controllers, below), its
// security and its 401/403/429/5xx answers from the route's auth and from being proxied, and every
// request and response shape from the zod schemas in @sdp/contracts (libs/contracts/src/http).
// What is written here is what neither says: a summary, the tag, which schema goes where, and
// the route's own refusals. openapi.spec.ts holds the document to the route table.
import {
  apiError,
  auction,
  auctionIdParam,
  bidAccepted,
  bidRequest,
  closeAuctionsResult,
  createAuctionRequest,
  controlFrame,
  controlRun,
  controlRunList,
  controlRunRequest,
  controlScenarioList,
  controlStreamQuery,
  cart,
  cartLine,
  cartQuantityRequest,
  checkoutAccepted,
  checkoutRequest,
  componentSchemas,
  courierBoard,
  delivery,
  jsonSchemaOf,
  listProductsQuery,
  loginRequest,
  loginResult,
  notificationList,
  notificationsQuery,
  notificationStreamQuery,
  orderPage,
  order,
  ordersQuery,
  product,
  productChange,
  productId,
  productPage,
  pspSettings,
  pspSettingsChange,
  recentlyViewed,
  recordViewRequest,
  registerRequest,
  setStockRequest,
  skuParam,
  stock,
  sweepResult,
  topProducts,
  topProductsQuery,
  user,
  writeStrategyRequest,
  writeStrategyResult,
  type JsonSchema,
} from '@sdp/contracts';
import { z } from 'zod';
import { routeTable, type AuthRequirement, type HttpMethod, type RouteSpec } from '../routes/route-table';

interface Success {
  status: 200 | 201 | 202 | 204;
  description: string;
  /** A JSON body of this shape; `content` for anything else; neither: no body. */
  body?: z.ZodType;
  content?: Record<string, object>;
}

/** What the document says about one route beyond the route table. */
interface OperationSpec {
  summary: string;
  description?: string;
  /** Defaults to the upstream service; admin routes are tagged `admin` as well. */
  tag?: string;
  /** One schema per `:name` in the path. */
  path?: z.ZodObject;
  query?: z.ZodObject;
  headers?: object[];
  body?: z.ZodType;
  /** The request body may be left out. */
  bodyOptional?: true;
  ok: Success;
  /** The route's own refusals (status → when); auth, rate-limit and upstream answers are added. */
  errors?: Record<number, string>;
}

/** `/api/products/:id` → `/api/products/{id}` */
export const toOpenApiPath = (path: string): string => path.replace(/:(\w+)/g, '{$1}');

const key = (method: HttpMethod, path: string) => `${method} ${path}`;
const byId = z.object({ id: productId });
const bySku = z.object({ sku: skuParam });

/** A route as the document sees it: a route-table entry or one of the gateway's own controllers. */
interface DocumentedRoute extends Pick<RouteSpec, 'method' | 'path' | 'auth'> {
  upstream?: string;
  /** Counts against a rate limit (may answer 429). */
  rateLimited: boolean;
  /** Forwarded to an upstream (may answer 502, 503, 504). */
  proxied: boolean;
}

/** The gateway's own routes: controllers, not route-table entries. */
const gatewayRoutes: readonly DocumentedRoute[] = [
  { method: 'POST', path: '/api/auth/register', auth: 'public', rateLimited: true, proxied: false },
  { method: 'POST', path: '/api/auth/login', auth: 'public', rateLimited: true, proxied: false },
  { method: 'GET', path: '/api/openapi.json', auth: 'public', rateLimited: false, proxied: false },
];

const operations: Record<string, OperationSpec> = {
  [key('POST', '/api/auth/register')]: {
    summary: 'Create a customer account',
    tag: 'auth',
    body: registerRequest,
    ok: { status: 201, description: 'The new user', body: user },
    errors: {
      400: 'Bad email, password (< 8 characters) or name (1..100 characters)',
      409: 'Email already registered',
    },
  },
  [key('POST', '/api/auth/login')]: {
    summary: 'Exchange email and password for an access token',
    tag: 'auth',
    body: loginRequest,
    ok: { status: 200, description: 'Token and user', body: loginResult },
    errors: {
      400: 'Missing email or password',
      401: 'Invalid email or password (one message for both)',
    },
  },
  [key('GET', '/api/openapi.json')]: {
    summary: 'This document',
    tag: 'meta',
    ok: { status: 200, description: 'OpenAPI 3.1', content: { 'application/json': {} } },
  },

  // catalog
  [key('GET', '/api/products')]: {
    summary: 'List products (edge-cached)',
    query: listProductsQuery,
    ok: { status: 200, description: 'A page of products', body: productPage },
    errors: { 400: 'Bad query' },
  },
  [key('GET', '/api/products/top')]: {
    summary: 'Best-sellers (edge-cached)',
    query: topProductsQuery,
    ok: { status: 200, description: 'Top products', body: topProducts },
  },
  [key('GET', '/api/products/:id')]: {
    summary: 'One product (edge-cached)',
    path: byId,
    ok: { status: 200, description: 'The product', body: product },
    errors: { 404: 'No such product' },
  },
  [key('PUT', '/api/admin/products/:id')]: {
    summary: 'Change a product; invalidates every cache layer',
    path: byId,
    body: productChange,
    ok: { status: 200, description: 'The updated product', body: product },
    errors: { 400: 'Bad change', 404: 'No such product' },
  },
  [key('GET', '/api/me/recently-viewed')]: {
    summary: "The caller's recently viewed products, newest first (at most 20)",
    ok: { status: 200, description: 'Recently viewed', body: recentlyViewed },
  },
  [key('POST', '/api/me/recently-viewed')]: {
    summary: 'Record that the caller viewed a product',
    body: recordViewRequest,
    ok: { status: 204, description: 'Recorded' },
    errors: { 400: 'Bad product id', 404: 'No such product' },
  },
  [key('PUT', '/api/admin/cache/write-strategy')]: {
    summary: 'Switch the catalog product write strategy for every replica (docs/cache-write-strategies.md)',
    body: writeStrategyRequest,
    ok: { status: 200, description: 'The strategy now in force', body: writeStrategyResult },
    errors: { 400: 'Unknown strategy' },
  },

  // inventory
  [key('GET', '/api/stock/:sku')]: {
    summary: 'Stock of one SKU',
    path: bySku,
    ok: { status: 200, description: 'Stock', body: stock },
    errors: { 404: 'Unknown SKU' },
  },
  [key('PUT', '/api/admin/stock/:sku')]: {
    summary: 'Set stock on hand (flash-sale set-up)',
    path: bySku,
    body: setStockRequest,
    ok: { status: 200, description: 'Stock', body: stock },
    errors: { 400: 'Bad onHand' },
  },
  [key('POST', '/api/admin/sweeper/run')]: {
    summary: 'Release expired holds now (the sweeper otherwise runs on a schedule)',
    ok: { status: 200, description: 'What was released', body: sweepResult },
  },

  // orders: cart, checkout, orders
  [key('GET', '/api/cart')]: {
    summary: "The caller's cart",
    tag: 'cart',
    ok: { status: 200, description: 'Cart', body: cart },
  },
  [key('DELETE', '/api/cart')]: {
    summary: 'Empty the cart',
    tag: 'cart',
    ok: { status: 200, description: 'Cart', body: cart },
  },
  [key('POST', '/api/cart/items')]: {
    summary: 'Add a line (adds to an existing quantity)',
    tag: 'cart',
    body: cartLine,
    ok: { status: 200, description: 'Cart', body: cart },
    errors: { 400: 'Bad line' },
  },
  [key('PATCH', '/api/cart/items/:sku')]: {
    summary: 'Set the quantity of a line',
    tag: 'cart',
    path: bySku,
    body: cartQuantityRequest,
    ok: { status: 200, description: 'Cart', body: cart },
    errors: { 400: 'Bad quantity' },
  },
  [key('DELETE', '/api/cart/items/:sku')]: {
    summary: 'Remove a line',
    tag: 'cart',
    path: bySku,
    ok: { status: 200, description: 'Cart', body: cart },
  },
  [key('POST', '/api/checkout')]: {
    summary: 'Check out the cart (or the given items); stricter rate limit, 10 s timeout',
    tag: 'checkout',
    headers: [
      {
        name: 'Idempotency-Key',
        in: 'header',
        required: true,
        schema: { type: 'string' },
        description: 'A retry with the same key and body gets the first answer (Idempotent-Replayed: true)',
      },
    ],
    body: checkoutRequest,
    bodyOptional: true,
    ok: { status: 202, description: 'Order placed, payment pending', body: checkoutAccepted },
    errors: {
      400: 'Bad body or missing Idempotency-Key',
      409: 'Out of stock, or the hold an earlier attempt with this key took has expired (use a new key)',
      422: 'Idempotency-Key reused with another body',
    },
  },
  [key('GET', '/api/orders')]: {
    summary: "The caller's orders",
    tag: 'orders',
    query: ordersQuery,
    ok: { status: 200, description: 'Orders', body: orderPage },
  },
  [key('GET', '/api/orders/:id')]: {
    summary: 'One of the caller’s orders',
    tag: 'orders',
    path: z.object({ id: z.uuid() }),
    ok: { status: 200, description: 'Order', body: order },
    errors: { 404: 'No such order' },
  },

  // notifications
  [key('GET', '/api/notifications')]: {
    summary: "The caller's recent notifications",
    query: notificationsQuery,
    ok: { status: 200, description: 'Notifications', body: notificationList },
  },
  [key('GET', '/api/notifications/stream')]: {
    summary: 'Server-Sent Events of the caller’s order outcomes',
    description:
      'EventSource cannot send an Authorization header, so this route (and only this one) also ' +
      'accepts the token as ?access_token=. Last-Event-ID replays what was missed.',
    query: notificationStreamQuery,
    ok: { status: 200, description: 'An event stream', content: { 'text/event-stream': {} } },
  },

  // payments
  [key('GET', '/api/admin/psp')]: {
    summary: 'Payment simulator settings',
    ok: { status: 200, description: 'Settings', body: pspSettings },
  },
  [key('PUT', '/api/admin/psp')]: {
    summary: 'Change the payment simulator (latency, failure and timeout rates)',
    body: pspSettingsChange,
    ok: { status: 200, description: 'Settings', body: pspSettings },
    errors: { 400: 'Bad settings' },
  },

  // delivery (courier dispatch, docs/courier-dispatch.md)
  [key('GET', '/api/orders/:id/delivery')]: {
    summary: 'The courier delivering one of the caller’s orders',
    tag: 'delivery',
    description:
      'WAITING until a dispatcher matches the confirmed order to a free courier, then ASSIGNED, then ' +
      'DELIVERED. 404 until the order is confirmed, and for someone else’s order.',
    path: z.object({ id: z.uuid() }),
    ok: { status: 200, description: 'Delivery', body: delivery },
    errors: { 400: 'id is not a UUID', 404: 'No delivery for this order (not yours, or not confirmed yet)' },
  },
  [key('GET', '/api/admin/couriers')]: {
    summary: 'Every courier and what it is doing; jobs waiting for a courier',
    ok: { status: 200, description: 'Courier board', body: courierBoard },
  },
  // control: the live architecture page (docs/architecture.md)
  [key('GET', '/api/admin/control/snapshot')]: {
    summary:
      'The live diagram now: every component of the topology with its status and figures, and the run in flight',
    tag: 'control',
    ok: { status: 200, description: 'One frame', body: controlFrame },
  },
  [key('GET', '/api/admin/control/stream')]: {
    summary: 'The same frame about once a second, over Server-Sent Events (event: snapshot)',
    description:
      'EventSource cannot send an Authorization header, so this route also accepts ?access_token=.',
    tag: 'control',
    query: controlStreamQuery,
    ok: { status: 200, description: 'An event stream', content: { 'text/event-stream': {} } },
  },
  [key('GET', '/api/admin/control/scenarios')]: {
    summary: 'The scenarios, each enabled or disabled with the reason',
    tag: 'control',
    ok: { status: 200, description: 'Scenarios', body: controlScenarioList },
  },
  [key('GET', '/api/admin/control/runs')]: {
    summary: 'The 20 latest scenario runs, newest first',
    tag: 'control',
    ok: { status: 200, description: 'Runs', body: controlRunList },
  },
  [key('POST', '/api/admin/control/runs')]: {
    summary: 'Start a scenario; it runs in the background and heals what it broke at the end',
    tag: 'control',
    body: controlRunRequest,
    ok: { status: 202, description: 'The run, started', body: controlRun },
    errors: {
      400: 'Unknown scenario or a bad parameter',
      409: 'Another run is in flight, or the scenario cannot run in this stack (the reason is given)',
    },
  },
  [key('GET', '/api/admin/control/runs/:id')]: {
    summary: 'One scenario run: figures, invariant and log',
    tag: 'control',
    path: z.object({ id: z.uuid() }),
    ok: { status: 200, description: 'The run', body: controlRun },
    errors: { 400: 'Not a uuid', 404: 'No such run' },
  },

  // auctions
  [key('GET', '/api/auctions/:id')]: {
    summary: 'An auction, its current price and its top bids (edge-cached for one second)',
    path: z.object({ id: auctionIdParam }),
    ok: { status: 200, description: 'The auction', body: auction },
    errors: { 400: 'Bad auction id', 404: 'No such auction' },
  },
  [key('POST', '/api/auctions/:id/bids')]: {
    summary: 'Bid on an auction as the caller (never cached)',
    description:
      'Accepted only while the auction is open and at least minimumBidCents: accepted bids strictly ' +
      'increase. The server validates and records it under the auction lock or by compare-and-set ' +
      '(BID_STRATEGY, docs/auctions.md).',
    path: z.object({ id: auctionIdParam }),
    body: bidRequest,
    ok: { status: 201, description: 'The bid is the new highest bid', body: bidAccepted },
    errors: {
      400: 'Bad auction id or amount',
      404: 'No such auction',
      409: 'Outbid (reason too_low, with minimumBidCents) or the auction has ended (reason ended)',
    },
  },
  [key('POST', '/api/admin/auctions')]: {
    summary: 'Create an auction for a SKU',
    tag: 'auctions',
    body: createAuctionRequest,
    ok: { status: 201, description: 'The new auction', body: auction },
    errors: { 400: 'Bad SKU, prices, or endsAt (must be in the future, at most 30 days ahead)' },
  },
  [key('POST', '/api/admin/auctions/close')]: {
    summary: 'Run the closing job now (it otherwise runs every second on whichever replica wins its lock)',
    tag: 'auctions',
    ok: { status: 200, description: 'How many ended auctions this run closed', body: closeAuctionsResult },
  },
};

const json = (schema: JsonSchema) => ({ 'application/json': { schema } });
const error = (description: string) => ({ description, content: json(jsonSchemaOf(apiError)) });
const integer = { schema: { type: 'integer' } };
const rateLimitHeaders = {
  'RateLimit-Limit': { description: 'Requests allowed per window', ...integer },
  'RateLimit-Remaining': { description: 'Requests left in this window', ...integer },
  'RateLimit-Reset': { description: 'Seconds until the window resets', ...integer },
};
const tooMany = {
  description: 'Rate limit exceeded (shared by every gateway replica)',
  headers: { ...rateLimitHeaders, 'Retry-After': integer },
  content: json(jsonSchemaOf(apiError)),
};
/** Answers every proxied route may give when its upstream is in trouble. */
const upstreamErrors = {
  '502': error('The upstream service could not be reached'),
  '503': {
    description: 'The upstream circuit is open (fail fast); retry after Retry-After seconds',
    headers: { 'Retry-After': integer },
    content: json(jsonSchemaOf(apiError)),
  },
  '504': error('The upstream service did not answer in time'),
};
const authErrors: Record<AuthRequirement, Record<string, object>> = {
  public: {},
  customer: { '401': error('Missing, expired or invalid access token') },
  admin: {
    '401': error('Missing, expired or invalid access token'),
    '403': error('The caller is not an admin'),
  },
};

/** Path, query or header parameters from an object schema's properties. */
function parameters(where: 'path' | 'query', shape: z.ZodObject | undefined): object[] {
  if (!shape) return [];
  const { properties = {}, required = [] } = jsonSchemaOf(shape) as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(properties).map(([name, { description, ...schema }]) => ({
    name,
    in: where,
    required: where === 'path' || required.includes(name),
    schema,
    ...(description ? { description } : {}),
  }));
}

function operation(route: DocumentedRoute) {
  const spec = operations[key(route.method, route.path)];
  if (!spec) throw new Error(`openapi: no operation for ${key(route.method, route.path)}`);
  const pathNames = [...route.path.matchAll(/:(\w+)/g)].map(([, name]) => name);
  const described = Object.keys(spec.path?.shape ?? {});
  if (pathNames.join() !== described.join()) {
    throw new Error(
      `openapi: ${key(route.method, route.path)} describes path parameters [${described.join()}]`,
    );
  }
  const tag = spec.tag ?? route.upstream;
  if (!tag) throw new Error(`openapi: ${key(route.method, route.path)} has no tag`);
  const params = [
    ...parameters('path', spec.path),
    ...parameters('query', spec.query),
    ...(spec.headers ?? []),
  ];
  const { ok } = spec;
  const content = ok.body ? json(jsonSchemaOf(ok.body)) : ok.content;
  return {
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    tags: route.auth === 'admin' ? [tag, 'admin'] : [tag],
    'x-auth': route.auth,
    ...(route.auth === 'public' ? {} : { security: [{ bearer: [] }] }),
    ...(params.length ? { parameters: params } : {}),
    ...(spec.body
      ? { requestBody: { required: !spec.bodyOptional, content: json(jsonSchemaOf(spec.body)) } }
      : {}),
    responses: {
      [ok.status]: { description: ok.description, ...(content ? { content } : {}) },
      ...Object.fromEntries(Object.entries(spec.errors ?? {}).map(([status, why]) => [status, error(why)])),
      ...authErrors[route.auth],
      ...(route.rateLimited ? { '429': tooMany } : {}),
      ...(route.proxied ? upstreamErrors : {}),
    },
  };
}

function buildPaths() {
  const routes: DocumentedRoute[] = [
    ...gatewayRoutes,
    ...routeTable.map((route) => ({ ...route, rateLimited: true, proxied: true })),
  ];
  const documented = new Set(routes.map((route) => key(route.method, route.path)));
  const stray = Object.keys(operations).filter((k) => !documented.has(k));
  if (stray.length) throw new Error(`openapi: operations for routes nobody serves: ${stray.join(', ')}`);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const item = (paths[toOpenApiPath(route.path)] ??= {});
    item[route.method.toLowerCase()] = operation(route);
  }
  return paths;
}

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'System-design reference platform: public API',
    version: '1.0.0',
    description:
      'Served by the gateway, reached through the edge at /api. Errors share one shape: ' +
      '{statusCode, error, message, requestId}. Every response carries x-request-id (send your own to ' +
      'trace a request), x-gateway-instance and, when a service answered, its x-instance-id.',
  },
  servers: [{ url: '/' }],
  components: {
    securitySchemes: {
      bearer: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'From POST /api/auth/login; short-lived (JWT_TTL_SECONDS, 15 min by default).',
      },
    },
    schemas: componentSchemas(),
  },
  paths: buildPaths(),
};
export type OpenApiDocument = typeof openApiDocument;
