// The public API as clients see it through the edge (`/api/...`), written by hand in OpenAPI 3.1.
// Keep it in step with src/routes/route-table.ts and the auth controller: openapi.spec.ts fails when
// a route-table entry has no operation here (or an operation has no route).

type Schema = Record<string, unknown>;
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Schema) => ({ 'application/json': { schema } });
const ok = (description: string, schema: Schema) => ({ description, content: json(schema) });
const error = (description: string) => ({ description, content: json(ref('Error')) });
/** `{ items: [...] }`, the shape of every list the API returns. */
const listOf = (name: string): Schema => ({
  type: 'object',
  properties: { items: { type: 'array', items: ref(name) } },
});
/** A list with its paging. */
const pageOf = (name: string): Schema => ({
  type: 'object',
  properties: {
    items: { type: 'array', items: ref(name) },
    page: { type: 'integer' },
    limit: { type: 'integer' },
    total: { type: 'integer' },
  },
});

const rateLimitHeaders = {
  'RateLimit-Limit': { description: 'Requests allowed per window', schema: { type: 'integer' } },
  'RateLimit-Remaining': { description: 'Requests left in this window', schema: { type: 'integer' } },
  'RateLimit-Reset': { description: 'Seconds until the window resets', schema: { type: 'integer' } },
};
const tooMany = {
  description: 'Rate limit exceeded (shared by every gateway replica)',
  headers: { ...rateLimitHeaders, 'Retry-After': { schema: { type: 'integer' } } },
  content: json(ref('Error')),
};
/** Answers every proxied route may give when its upstream is in trouble. */
const upstreamErrors = {
  '429': tooMany,
  '502': error('The upstream service could not be reached'),
  '503': {
    description: 'The upstream circuit is open (fail fast); retry after Retry-After seconds',
    headers: { 'Retry-After': { schema: { type: 'integer' } } },
    content: json(ref('Error')),
  },
  '504': error('The upstream service did not answer in time'),
};
const signedIn = { '401': error('Missing, expired or invalid access token') };
const adminOnly = { ...signedIn, '403': error('The caller is not an admin') };
const bearer = [{ bearer: [] }];

const param = (name: string, schema: Schema, description?: string) => ({
  name,
  in: 'path',
  required: true,
  schema,
  ...(description ? { description } : {}),
});
const skuParam = param('sku', { type: 'string', pattern: '^[A-Z0-9-]{3,32}$' }, 'e.g. SKU-000001');
const query = (name: string, schema: Schema, description?: string) => ({
  name,
  in: 'query',
  required: false,
  schema,
  ...(description ? { description } : {}),
});

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
    schemas: {
      Error: {
        type: 'object',
        required: ['statusCode', 'error', 'message', 'requestId'],
        properties: {
          statusCode: { type: 'integer' },
          error: { type: 'string' },
          message: { type: 'string' },
          requestId: { type: 'string' },
        },
      },
      User: {
        type: 'object',
        required: ['id', 'email', 'name', 'role'],
        properties: {
          id: { type: 'string', format: 'uuid' },
          email: { type: 'string', format: 'email' },
          name: { type: 'string' },
          role: { enum: ['customer', 'admin'] },
        },
      },
      RegisterRequest: {
        type: 'object',
        required: ['email', 'password', 'name'],
        additionalProperties: false,
        properties: {
          email: { type: 'string', format: 'email', maxLength: 254 },
          password: { type: 'string', minLength: 8, maxLength: 128 },
          name: { type: 'string', minLength: 1, maxLength: 100 },
        },
      },
      LoginRequest: {
        type: 'object',
        required: ['email', 'password'],
        additionalProperties: false,
        properties: { email: { type: 'string' }, password: { type: 'string' } },
      },
      LoginResult: {
        type: 'object',
        required: ['accessToken', 'expiresIn', 'tokenType', 'user'],
        properties: {
          accessToken: { type: 'string' },
          expiresIn: { type: 'integer', description: 'seconds' },
          tokenType: { const: 'Bearer' },
          user: ref('User'),
        },
      },
      Product: {
        type: 'object',
        properties: {
          id: { type: 'integer' },
          sku: { type: 'string' },
          name: { type: 'string' },
          description: { type: 'string' },
          priceCents: { type: 'integer' },
          category: { type: 'object', properties: { slug: { type: 'string' }, name: { type: 'string' } } },
          imagePath: { type: 'string' },
          available: { type: ['integer', 'null'] },
        },
      },
      ProductPage: pageOf('Product'),
      ProductChange: {
        type: 'object',
        additionalProperties: false,
        minProperties: 1,
        properties: {
          name: { type: 'string', maxLength: 200 },
          description: { type: 'string', maxLength: 2000 },
          priceCents: { type: 'integer', minimum: 1 },
        },
      },
      Stock: {
        type: 'object',
        properties: {
          sku: { type: 'string' },
          onHand: { type: 'integer' },
          reserved: { type: 'integer' },
          available: { type: 'integer' },
        },
      },
      CartLine: {
        type: 'object',
        required: ['sku', 'quantity'],
        properties: { sku: { type: 'string' }, quantity: { type: 'integer', minimum: 1, maximum: 100 } },
      },
      Cart: listOf('CartLine'),
      Order: {
        type: 'object',
        properties: {
          id: { type: 'string', format: 'uuid' },
          status: { enum: ['PENDING_PAYMENT', 'CONFIRMED', 'CANCELLED'] },
          items: { type: 'array', items: ref('CartLine') },
          totalCents: { type: 'integer' },
          createdAt: { type: 'string', format: 'date-time' },
        },
      },
      OrderPage: pageOf('Order'),
      Notification: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          orderId: { type: 'string' },
          type: { enum: ['order.confirmed', 'order.cancelled', 'payment.refunded'] },
          data: { type: 'object' },
          createdAt: { type: 'string', format: 'date-time' },
        },
      },
      PspSettings: {
        type: 'object',
        properties: {
          latencyMs: { type: 'integer', minimum: 0 },
          failureRate: { type: 'number', minimum: 0, maximum: 1 },
          timeoutRate: { type: 'number', minimum: 0, maximum: 1 },
        },
      },
    },
  },
  paths: {
    '/api/auth/register': {
      post: {
        summary: 'Create a customer account',
        tags: ['auth'],
        requestBody: { required: true, content: json(ref('RegisterRequest')) },
        responses: {
          '201': ok('The new user', ref('User')),
          '400': error('Bad email, password (< 8 characters) or name (1..100 characters)'),
          '409': error('Email already registered'),
          '429': tooMany,
        },
      },
    },
    '/api/auth/login': {
      post: {
        summary: 'Exchange email and password for an access token',
        tags: ['auth'],
        requestBody: { required: true, content: json(ref('LoginRequest')) },
        responses: {
          '200': ok('Token and user', ref('LoginResult')),
          '400': error('Missing email or password'),
          '401': error('Invalid email or password (one message for both)'),
          '429': tooMany,
        },
      },
    },
    '/api/openapi.json': {
      get: {
        summary: 'This document',
        tags: ['meta'],
        responses: { '200': { description: 'OpenAPI 3.1', content: { 'application/json': {} } } },
      },
    },
    '/api/products': {
      get: {
        summary: 'List products (edge-cached)',
        tags: ['catalog'],
        parameters: [
          query('page', { type: 'integer', minimum: 1 }),
          query('limit', { type: 'integer', minimum: 1, maximum: 100 }),
          query('category', { type: 'string' }, 'category slug'),
          query('q', { type: 'string' }, 'search text'),
          query('sort', { type: 'string' }),
        ],
        responses: {
          '200': ok('A page of products', ref('ProductPage')),
          '400': error('Bad query'),
          ...upstreamErrors,
        },
      },
    },
    '/api/products/top': {
      get: {
        summary: 'Best-sellers (edge-cached)',
        tags: ['catalog'],
        parameters: [query('n', { type: 'integer', minimum: 1 })],
        responses: {
          '200': ok('Top products', listOf('Product')),
          ...upstreamErrors,
        },
      },
    },
    '/api/products/{id}': {
      get: {
        summary: 'One product (edge-cached)',
        tags: ['catalog'],
        parameters: [param('id', { type: 'integer', minimum: 1 })],
        responses: {
          '200': ok('The product', ref('Product')),
          '404': error('No such product'),
          ...upstreamErrors,
        },
      },
    },
    '/api/admin/products/{id}': {
      put: {
        summary: 'Change a product; invalidates every cache layer',
        tags: ['catalog', 'admin'],
        security: bearer,
        parameters: [param('id', { type: 'integer', minimum: 1 })],
        requestBody: { required: true, content: json(ref('ProductChange')) },
        responses: {
          '200': ok('The updated product', ref('Product')),
          '400': error('Bad change'),
          ...adminOnly,
          '404': error('No such product'),
          ...upstreamErrors,
        },
      },
    },
    '/api/me/recently-viewed': {
      get: {
        summary: "The caller's recently viewed products, newest first (at most 20)",
        tags: ['catalog'],
        security: bearer,
        responses: {
          '200': ok('Recently viewed', listOf('Product')),
          ...signedIn,
          ...upstreamErrors,
        },
      },
      post: {
        summary: 'Record that the caller viewed a product',
        tags: ['catalog'],
        security: bearer,
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            required: ['productId'],
            properties: { productId: { type: 'integer', minimum: 1 } },
          }),
        },
        responses: {
          '204': { description: 'Recorded' },
          '400': error('Bad product id'),
          ...signedIn,
          '404': error('No such product'),
          ...upstreamErrors,
        },
      },
    },
    '/api/admin/cache/write-strategy': {
      put: {
        summary:
          'Switch the catalog product write strategy for every replica (docs/cache-write-strategies.md)',
        tags: ['catalog', 'admin'],
        security: bearer,
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            required: ['strategy'],
            properties: {
              strategy: { type: 'string', enum: ['write-around', 'write-through', 'write-back'] },
            },
          }),
        },
        responses: {
          '200': ok('The strategy now in force', {
            type: 'object',
            properties: { strategy: { type: 'string' } },
          }),
          '400': error('Unknown strategy'),
          ...adminOnly,
          ...upstreamErrors,
        },
      },
    },
    '/api/stock/{sku}': {
      get: {
        summary: 'Stock of one SKU',
        tags: ['inventory'],
        parameters: [skuParam],
        responses: { '200': ok('Stock', ref('Stock')), '404': error('Unknown SKU'), ...upstreamErrors },
      },
    },
    '/api/admin/stock/{sku}': {
      put: {
        summary: 'Set stock on hand (flash-sale set-up)',
        tags: ['inventory', 'admin'],
        security: bearer,
        parameters: [skuParam],
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            required: ['onHand'],
            properties: { onHand: { type: 'integer', minimum: 0 } },
          }),
        },
        responses: {
          '200': ok('Stock', ref('Stock')),
          '400': error('Bad onHand'),
          ...adminOnly,
          ...upstreamErrors,
        },
      },
    },
    '/api/admin/sweeper/run': {
      post: {
        summary: 'Release expired holds now (the sweeper otherwise runs on a schedule)',
        tags: ['inventory', 'admin'],
        security: bearer,
        responses: { '200': ok('What was released', { type: 'object' }), ...adminOnly, ...upstreamErrors },
      },
    },
    '/api/cart': {
      get: {
        summary: "The caller's cart",
        tags: ['cart'],
        security: bearer,
        responses: { '200': ok('Cart', ref('Cart')), ...signedIn, ...upstreamErrors },
      },
      delete: {
        summary: 'Empty the cart',
        tags: ['cart'],
        security: bearer,
        responses: { '200': ok('Cart', ref('Cart')), ...signedIn, ...upstreamErrors },
      },
    },
    '/api/cart/items': {
      post: {
        summary: 'Add a line (adds to an existing quantity)',
        tags: ['cart'],
        security: bearer,
        requestBody: { required: true, content: json(ref('CartLine')) },
        responses: {
          '200': ok('Cart', ref('Cart')),
          '400': error('Bad line'),
          ...signedIn,
          ...upstreamErrors,
        },
      },
    },
    '/api/cart/items/{sku}': {
      patch: {
        summary: 'Set the quantity of a line',
        tags: ['cart'],
        security: bearer,
        parameters: [skuParam],
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            required: ['quantity'],
            properties: { quantity: { type: 'integer' } },
          }),
        },
        responses: {
          '200': ok('Cart', ref('Cart')),
          '400': error('Bad quantity'),
          ...signedIn,
          ...upstreamErrors,
        },
      },
      delete: {
        summary: 'Remove a line',
        tags: ['cart'],
        security: bearer,
        parameters: [skuParam],
        responses: { '200': ok('Cart', ref('Cart')), ...signedIn, ...upstreamErrors },
      },
    },
    '/api/checkout': {
      post: {
        summary: 'Check out the cart (or the given items); stricter rate limit, 10 s timeout',
        tags: ['checkout'],
        security: bearer,
        parameters: [
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: true,
            schema: { type: 'string' },
            description:
              'A retry with the same key and body gets the first answer (Idempotent-Replayed: true)',
          },
        ],
        requestBody: {
          required: false,
          content: json(listOf('CartLine')),
        },
        responses: {
          '202': ok('Order placed, payment pending', {
            type: 'object',
            properties: { orderId: { type: 'string' }, status: { const: 'PENDING_PAYMENT' } },
          }),
          '400': error('Bad body or missing Idempotency-Key'),
          ...signedIn,
          '409': error(
            'Out of stock, or the hold an earlier attempt with this key took has expired (use a new key)',
          ),
          '422': error('Idempotency-Key reused with another body'),
          ...upstreamErrors,
        },
      },
    },
    '/api/orders': {
      get: {
        summary: "The caller's orders",
        tags: ['orders'],
        security: bearer,
        parameters: [query('page', { type: 'integer' }), query('limit', { type: 'integer' })],
        responses: { '200': ok('Orders', ref('OrderPage')), ...signedIn, ...upstreamErrors },
      },
    },
    '/api/orders/{id}': {
      get: {
        summary: 'One of the caller’s orders',
        tags: ['orders'],
        security: bearer,
        parameters: [param('id', { type: 'string', format: 'uuid' })],
        responses: {
          '200': ok('Order', ref('Order')),
          ...signedIn,
          '404': error('No such order'),
          ...upstreamErrors,
        },
      },
    },
    '/api/notifications': {
      get: {
        summary: "The caller's recent notifications",
        tags: ['notifications'],
        security: bearer,
        parameters: [query('limit', { type: 'integer' })],
        responses: {
          '200': ok('Notifications', listOf('Notification')),
          ...signedIn,
          ...upstreamErrors,
        },
      },
    },
    '/api/notifications/stream': {
      get: {
        summary: 'Server-Sent Events of the caller’s order outcomes',
        description:
          'EventSource cannot send an Authorization header, so this route (and only this one) also ' +
          'accepts the token as ?access_token=. Last-Event-ID replays what was missed.',
        tags: ['notifications'],
        security: bearer,
        parameters: [query('access_token', { type: 'string' }, 'the JWT, for EventSource')],
        responses: {
          '200': { description: 'An event stream', content: { 'text/event-stream': {} } },
          ...signedIn,
          ...upstreamErrors,
        },
      },
    },
    '/api/admin/psp': {
      get: {
        summary: 'Payment simulator settings',
        tags: ['payments', 'admin'],
        security: bearer,
        responses: { '200': ok('Settings', ref('PspSettings')), ...adminOnly, ...upstreamErrors },
      },
      put: {
        summary: 'Change the payment simulator (latency, failure and timeout rates)',
        tags: ['payments', 'admin'],
        security: bearer,
        requestBody: { required: true, content: json(ref('PspSettings')) },
        responses: {
          '200': ok('Settings', ref('PspSettings')),
          '400': error('Bad settings'),
          ...adminOnly,
          ...upstreamErrors,
        },
      },
    },
  },
} as const;

/** `/api/products/:id` → `/api/products/{id}` */
export const toOpenApiPath = (path: string): string => path.replace(/:(\w+)/g, '{$1}');
