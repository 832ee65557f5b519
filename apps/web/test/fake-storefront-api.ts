// STAND-IN ONLY. A tiny node:http server that serves apps/web/dist and fakes the handful of
// /api endpoints the storefront's browser test walks through. storefront.e2e-spec.ts uses it only
// when STOREFRONT_URL is not set; the real-stack run points STOREFRONT_URL at the edge
// (browser → edge → gateway ×2 → lb → services) and never starts this.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Order, Product } from '../src/api';

export const FAKE_DEMO_EMAIL = 'alice@example.com';
export const FAKE_DEMO_PASSWORD = 'stand-in-password';

// The API's shapes as the page reads them; the stand-in keeps each order's owner on the side.
type FakeOrder = Order & { userId: string };

// Present in the API's product shape, not read by the page.
const unread = { imagePath: '', updatedAt: '2026-01-01T00:00:00.000Z' };
const home = { slug: 'home', name: 'Home & Living' };
const office = { slug: 'office', name: 'Office' };
const PRODUCTS: Product[] = [
  {
    id: 1,
    sku: 'SKU-000001',
    name: 'Brass Desk Lamp',
    description: 'A warm reading light.',
    priceCents: 4599,
    category: home,
    ...unread,
  },
  {
    id: 2,
    sku: 'SKU-000002',
    name: 'Oak Desk Lamp',
    description: 'Dimmable, USB-C.',
    priceCents: 7250,
    category: office,
    ...unread,
  },
  {
    id: 3,
    sku: 'SKU-000003',
    name: 'Wool Throw Blanket',
    description: 'Soft and heavy.',
    priceCents: 8900,
    category: home,
    ...unread,
  },
  {
    id: 4,
    sku: 'SKU-000004',
    name: 'Wall Clock',
    description: 'Silent sweep.',
    priceCents: 2999,
    category: home,
    ...unread,
  },
];
const STOCK: Record<string, number> = {
  'SKU-000001': 12,
  'SKU-000002': 0,
  'SKU-000003': 4,
  'SKU-000004': 30,
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export interface FakeStorefrontApi {
  url: string;
  /** Every API request as `METHOD /path` (with the Idempotency-Key for checkouts), for assertions. */
  log: string[];
  /** How many SSE streams were opened with a valid token. */
  streamsOpened(): number;
  close(): Promise<void>;
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

function fail(res: ServerResponse, status: number, message: string): void {
  const error = {
    400: 'Bad Request',
    401: 'Unauthorized',
    404: 'Not Found',
    409: 'Conflict',
    422: 'Unprocessable Entity',
  }[status];
  send(res, status, { statusCode: status, error, message, requestId: randomUUID() });
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

/** Starts the stand-in on a free loopback port; the outcome is pushed `confirmAfterMs` after the buyer's stream is open. */
export async function startFakeStorefrontApi(
  distDir: string,
  confirmAfterMs = 1_500,
): Promise<FakeStorefrontApi> {
  const tokens = new Map<string, string>();
  const carts = new Map<string, Map<string, number>>();
  const orders = new Map<string, FakeOrder>();
  const byKey = new Map<string, string>();
  const streams = new Map<string, Set<ServerResponse>>();
  const timers = new Set<NodeJS.Timeout>();
  const log: string[] = [];
  let opened = 0;

  const cartOf = (userId: string) => {
    let cart = carts.get(userId);
    if (!cart) carts.set(userId, (cart = new Map<string, number>()));
    return cart;
  };
  const cartView = (userId: string) => ({
    items: [...cartOf(userId)].map(([sku, quantity]) => ({ sku, quantity })),
  });
  const view = ({ userId: _userId, ...order }: FakeOrder) => order;

  const confirmWhenWatched = (order: FakeOrder): void => {
    const attempt = setInterval(() => {
      if (!streams.get(order.userId)?.size) return;
      clearInterval(attempt);
      timers.delete(attempt);
      const confirm = setTimeout(() => {
        timers.delete(confirm);
        order.status = 'CONFIRMED';
        const data = {
          orderId: order.id,
          status: 'CONFIRMED',
          totalCents: order.totalCents,
          items: order.items,
        };
        for (const stream of streams.get(order.userId) ?? []) {
          stream.write(`id: ${randomUUID()}\nevent: order.confirmed\ndata: ${JSON.stringify(data)}\n\n`);
        }
      }, confirmAfterMs);
      timers.add(confirm);
    }, 50);
    timers.add(attempt);
  };

  async function api(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const route = url.pathname.replace(/^\/api/, '');
    const method = req.method ?? 'GET';
    const key = req.headers['idempotency-key'];
    log.push(`${method} ${route}${key ? ` key=${String(key)}` : ''}`);
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const userId = bearer ? tokens.get(bearer) : undefined;

    if (method === 'POST' && route === '/auth/login') {
      const body = await readJson(req);
      if (body.email !== FAKE_DEMO_EMAIL || body.password !== FAKE_DEMO_PASSWORD) {
        return fail(res, 401, 'wrong email or password');
      }
      const token = randomUUID();
      tokens.set(token, 'user-alice');
      return send(res, 200, {
        accessToken: token,
        expiresIn: 900,
        user: { id: 'user-alice', email: FAKE_DEMO_EMAIL, name: 'Alice', role: 'customer' },
      });
    }
    if (method === 'GET' && route === '/products') {
      const q = url.searchParams.get('q')?.toLowerCase();
      const category = url.searchParams.get('category');
      const skus = url.searchParams.get('skus')?.split(',');
      const page = Number(url.searchParams.get('page') ?? 1);
      const limit = Number(url.searchParams.get('limit') ?? 20);
      if (q !== undefined && q.length < 2) return fail(res, 400, 'q must be at least 2 characters');
      const items = PRODUCTS.filter(
        (p) =>
          (!q || p.name.toLowerCase().includes(q)) &&
          (!category || p.category.slug === category) &&
          (!skus || skus.includes(p.sku)),
      );
      return send(res, 200, {
        items: items.slice((page - 1) * limit, page * limit),
        page,
        limit,
        total: items.length,
      });
    }
    const productId = /^\/products\/(\d+)$/.exec(route)?.[1];
    if (method === 'GET' && productId) {
      const product = PRODUCTS.find((p) => p.id === Number(productId));
      return product ? send(res, 200, product) : fail(res, 404, `product ${productId} not found`);
    }
    const stockSku = /^\/stock\/([A-Z0-9-]+)$/.exec(route)?.[1];
    if (method === 'GET' && stockSku) {
      const onHand = STOCK[stockSku];
      if (onHand === undefined) return fail(res, 404, `no stock for ${stockSku}`);
      return send(res, 200, { sku: stockSku, onHand, reserved: 0, sold: 0, available: onHand });
    }
    if (route === '/notifications/stream' && method === 'GET') {
      // The gateway accepts the JWT from the query on this route only (EventSource sends no headers).
      const owner = tokens.get(url.searchParams.get('access_token') ?? '');
      if (!owner) return fail(res, 401, 'a valid access_token is required');
      opened += 1;
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      res.write('retry: 3000\n: connected\n\n');
      const set = streams.get(owner) ?? new Set();
      streams.set(owner, set.add(res));
      req.on('close', () => set.delete(res));
      return;
    }

    if (!userId) return fail(res, 401, 'log in first');
    if (route === '/cart' && method === 'GET') return send(res, 200, cartView(userId));
    if (route === '/cart/items' && method === 'POST') {
      const { sku, quantity } = (await readJson(req)) as { sku?: string; quantity?: number };
      if (!sku || !PRODUCTS.some((p) => p.sku === sku))
        return fail(res, 400, 'sku must be a SKU such as "SKU-000001"');
      if (!Number.isInteger(quantity) || quantity! < 1)
        return fail(res, 400, 'quantity must be an integer from 1 to 100');
      const cart = cartOf(userId);
      cart.set(sku, (cart.get(sku) ?? 0) + quantity!);
      return send(res, 200, cartView(userId));
    }
    const cartSku = /^\/cart\/items\/([A-Z0-9-]+)$/.exec(route)?.[1];
    if (cartSku && method === 'PATCH') {
      const { quantity } = (await readJson(req)) as { quantity?: number };
      if (!Number.isInteger(quantity) || quantity! < 1)
        return fail(res, 400, 'quantity must be an integer from 1 to 100');
      cartOf(userId).set(cartSku, quantity!);
      return send(res, 200, cartView(userId));
    }
    if (cartSku && method === 'DELETE') {
      cartOf(userId).delete(cartSku);
      return send(res, 200, cartView(userId));
    }
    if (route === '/checkout' && method === 'POST') {
      if (typeof key !== 'string' || !key) return fail(res, 400, 'Idempotency-Key header is required');
      const existing = byKey.get(key);
      if (existing) return send(res, 202, { orderId: existing, status: orders.get(existing)!.status });
      const items = cartView(userId).items;
      if (items.length === 0) return fail(res, 422, 'the cart is empty');
      const short = items.find((line) => (STOCK[line.sku] ?? 0) < line.quantity);
      if (short) return fail(res, 409, `out of stock: ${short.sku}`);
      const priced = items.map((l) => ({
        ...l,
        priceCents: PRODUCTS.find((p) => p.sku === l.sku)!.priceCents,
      }));
      const totalCents = priced.reduce((n, l) => n + l.priceCents * l.quantity, 0);
      const order: FakeOrder = {
        id: randomUUID(),
        userId,
        status: 'PENDING_PAYMENT',
        items: priced,
        totalCents,
        createdAt: new Date().toISOString(),
      };
      orders.set(order.id, order);
      byKey.set(key, order.id);
      cartOf(userId).clear();
      confirmWhenWatched(order);
      return send(res, 202, { orderId: order.id, status: order.status });
    }
    if (route === '/orders' && method === 'GET') {
      const mine = [...orders.values()].filter((o) => o.userId === userId).map(view);
      return send(res, 200, { items: mine.reverse(), page: 1, limit: 20, total: mine.length });
    }
    const orderId = /^\/orders\/([0-9a-f-]+)$/.exec(route)?.[1];
    if (orderId && method === 'GET') {
      const order = orders.get(orderId);
      return order && order.userId === userId
        ? send(res, 200, view(order))
        : fail(res, 404, 'order not found');
    }
    return fail(res, 404, `the stand-in has no ${method} ${route}`);
  }

  async function serveStatic(res: ServerResponse, pathname: string): Promise<void> {
    const relative = pathname === '/' ? 'index.html' : pathname.slice(1);
    const file = path.resolve(distDir, relative);
    if (!file.startsWith(path.resolve(distDir) + path.sep)) return fail(res, 404, 'not found');
    try {
      const body = await readFile(file);
      const immutable = relative.startsWith('assets/');
      res.writeHead(200, {
        'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
        'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      });
      res.end(body);
    } catch {
      fail(res, 404, `no file ${pathname}`);
    }
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const handled = url.pathname.startsWith('/api/') ? api(req, res, url) : serveStatic(res, url.pathname);
    handled.catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { statusCode: 500, message: String(error) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/`,
    log,
    streamsOpened: () => opened,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      for (const set of streams.values()) for (const stream of set) stream.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
