// The storefront's only door to the platform: relative /api on the page's own origin, so the
// browser talks to the edge, which forwards to the gateways. No CORS, no hard-coded hosts.

export interface User {
  id: string;
  email: string;
  name?: string;
  role?: string;
}

export interface LoginResult {
  accessToken: string;
  expiresIn: number;
  user: User;
}

export interface Product {
  id: number;
  sku: string;
  name: string;
  description: string;
  priceCents: number;
  category: { slug: string; name: string };
  imagePath?: string;
}

export interface Page<T> {
  items: T[];
  page: number;
  limit: number;
  total: number;
}

export interface Stock {
  sku: string;
  onHand: number;
  reserved: number;
  available: number;
}

export interface CartLine {
  sku: string;
  quantity: number;
}

export interface Cart {
  items: CartLine[];
}

export type OrderStatus = 'PENDING_PAYMENT' | 'CONFIRMED' | 'CANCELLED';

export interface Order {
  id: string;
  status: OrderStatus;
  items: CartLine[];
  totalCents: number;
  createdAt: string;
}

export interface CheckoutAccepted {
  orderId: string;
  status: OrderStatus;
}

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

  login(email: string, password: string): Promise<LoginResult> {
    return this.request('POST', '/auth/login', { email, password });
  }

  register(email: string, password: string, name: string): Promise<User> {
    return this.request('POST', '/auth/register', { email, password, name });
  }

  products(query: ProductQuery): Promise<Page<Product>> {
    return this.request('GET', `/products${productsQueryString(query)}`);
  }

  product(id: number): Promise<Product> {
    return this.request('GET', `/products/${encodeURIComponent(String(id))}`);
  }

  stock(sku: string): Promise<Stock> {
    return this.request('GET', `/stock/${encodeURIComponent(sku)}`);
  }

  cart(): Promise<Cart> {
    return this.request('GET', '/cart');
  }

  addToCart(sku: string, quantity: number): Promise<Cart> {
    return this.request('POST', '/cart/items', { sku, quantity });
  }

  setCartQuantity(sku: string, quantity: number): Promise<Cart> {
    return this.request('PATCH', `/cart/items/${encodeURIComponent(sku)}`, { quantity });
  }

  removeFromCart(sku: string): Promise<Cart> {
    return this.request('DELETE', `/cart/items/${encodeURIComponent(sku)}`);
  }

  checkout(idempotencyKey: string): Promise<CheckoutAccepted> {
    return this.request('POST', '/checkout', {}, { 'idempotency-key': idempotencyKey });
  }

  orders(page = 1): Promise<Page<Order>> {
    return this.request('GET', `/orders${page > 1 ? `?page=${page}` : ''}`);
  }

  order(id: string): Promise<Order> {
    return this.request('GET', `/orders/${encodeURIComponent(id)}`);
  }
}
