// The storefront's only door to the platform: relative /api on the page's own origin, so the
// browser talks to the edge, which forwards to the gateways. No CORS, no hard-coded hosts.

import type { components, paths } from './generated/api-types';

// The shapes below are the OpenAPI document's (generated/api-types.ts, from the gateway's document,
// which is generated from libs/contracts/src/http): types only, so nothing of it reaches the bundle.
type Schemas = components['schemas'];

export type User = Schemas['User'];
export type LoginResult = Schemas['LoginResult'];
export type Product = Schemas['Product'];
export type ProductPage = Schemas['ProductPage'];
export type Stock = Schemas['Stock'];
export type CartLine = Schemas['CartLine'];
export type Cart = Schemas['Cart'];
export type Order = Schemas['Order'];
export type OrderPage = Schemas['OrderPage'];
export type OrderStatus = Order['status'];
export type Delivery = Schemas['Delivery'];

/** The JSON a route answers on success (its 2xx response's body). */
type Answer<
  Path extends keyof paths,
  Method extends 'get' | 'post' | 'put' | 'patch' | 'delete',
> = paths[Path][Method] extends { responses: infer R }
  ? R[keyof R & (200 | 201 | 202)] extends { content: { 'application/json': infer Body } }
    ? Body
    : never
  : never;

export type CheckoutAccepted = Answer<'/api/checkout', 'post'>;

export interface ProductQuery {
  q?: string;
  category?: string;
  page?: number;
  limit?: number;
  skus?: string[];
}

/** An answer from the API that was not a success, carrying the API's own `message`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** A network failure or a 5xx: the same request may succeed if retried. */
  get retryable(): boolean {
    return this.status === 0 || this.status >= 500 || this.status === 429;
  }
}

/** What to tell the user for a failed response: the API's `{message}` when it sent one. */
export function errorMessage(status: number, body: unknown): string {
  if (body && typeof body === 'object' && 'message' in body) {
    const { message } = body;
    if (Array.isArray(message)) return message.map(String).join('; ');
    if (typeof message === 'string' && message.trim()) return message;
  }
  if (status === 401) return 'Please log in again.';
  if (status === 409) return 'Out of stock.';
  if (status === 429) return 'Too many requests; please wait a moment and try again.';
  if (status >= 500) return `The shop is having trouble (HTTP ${status}); please try again.`;
  return `Request failed (HTTP ${status}).`;
}

/** `?q=&category=&page=` without empty values, in a stable order (the edge caches by URL). */
export function productsQueryString(query: ProductQuery): string {
  const params = new URLSearchParams();
  const q = query.q?.trim();
  if (q) params.set('q', q);
  if (query.category) params.set('category', query.category);
  if (query.page && query.page > 1) params.set('page', String(query.page));
  if (query.limit) params.set('limit', String(query.limit));
  if (query.skus?.length) params.set('skus', [...query.skus].sort().join(','));
  const text = params.toString();
  return text ? `?${text}` : '';
}

type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export class ApiClient {
  constructor(
    private readonly getToken: () => string | null,
    private readonly fetchImpl: FetchLike = (input, init) => fetch(input, init),
    private readonly base = '/api',
  ) {}

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const token = this.getToken();
    const allHeaders: Record<string, string> = { accept: 'application/json', ...headers };
    if (token) allHeaders.authorization = `Bearer ${token}`;
    if (body !== undefined) allHeaders['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.base}${path}`, {
        method,
        headers: allHeaders,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, 'Cannot reach the shop. Check your connection and try again.');
    }
    const text = await response.text();
    let parsed: unknown = undefined;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }
    if (!response.ok) {
      const requestId =
        response.headers.get('x-request-id') ??
        (parsed && typeof parsed === 'object' && 'requestId' in parsed
          ? String(parsed.requestId)
          : undefined);
      throw new ApiError(response.status, errorMessage(response.status, parsed), requestId);
    }
    return parsed as T;
  }

  login(email: string, password: string): Promise<Answer<'/api/auth/login', 'post'>> {
    return this.request('POST', '/auth/login', { email, password });
  }

  register(email: string, password: string, name: string): Promise<Answer<'/api/auth/register', 'post'>> {
    return this.request('POST', '/auth/register', { email, password, name });
  }

  products(query: ProductQuery): Promise<Answer<'/api/products', 'get'>> {
    return this.request('GET', `/products${productsQueryString(query)}`);
  }

  product(id: number): Promise<Answer<'/api/products/{id}', 'get'>> {
    return this.request('GET', `/products/${encodeURIComponent(String(id))}`);
  }

  stock(sku: string): Promise<Answer<'/api/stock/{sku}', 'get'>> {
    return this.request('GET', `/stock/${encodeURIComponent(sku)}`);
  }

  cart(): Promise<Answer<'/api/cart', 'get'>> {
    return this.request('GET', '/cart');
  }

  addToCart(sku: string, quantity: number): Promise<Answer<'/api/cart/items', 'post'>> {
    return this.request('POST', '/cart/items', { sku, quantity });
  }

  setCartQuantity(sku: string, quantity: number): Promise<Answer<'/api/cart/items/{sku}', 'patch'>> {
    return this.request('PATCH', `/cart/items/${encodeURIComponent(sku)}`, { quantity });
  }

  removeFromCart(sku: string): Promise<Answer<'/api/cart/items/{sku}', 'delete'>> {
    return this.request('DELETE', `/cart/items/${encodeURIComponent(sku)}`);
  }

  checkout(idempotencyKey: string): Promise<CheckoutAccepted> {
    return this.request('POST', '/checkout', {}, { 'idempotency-key': idempotencyKey });
  }

  orders(page = 1): Promise<Answer<'/api/orders', 'get'>> {
    return this.request('GET', `/orders${page > 1 ? `?page=${page}` : ''}`);
  }

  order(id: string): Promise<Answer<'/api/orders/{id}', 'get'>> {
    return this.request('GET', `/orders/${encodeURIComponent(id)}`);
  }

  /** The order's courier (delivery service): 404 until the order is confirmed. */
  delivery(orderId: string): Promise<Answer<'/api/orders/{id}/delivery', 'get'>> {
    return this.request('GET', `/orders/${encodeURIComponent(orderId)}/delivery`);
  }
}
