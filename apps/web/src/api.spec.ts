import { ApiClient, ApiError, errorMessage, productsQueryString } from './api';

interface Call {
  url: string;
  init: RequestInit;
}

function fakeFetch(status: number, body: unknown, headers: Record<string, string> = {}) {
  const calls: Call[] = [];
  const impl = (url: string, init: RequestInit = {}): Promise<Response> => {
    calls.push({ url, init });
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return Promise.resolve(new Response(status === 204 ? null : text, { status, headers }));
  };
  return { calls, impl };
}

describe('productsQueryString', () => {
  it('drops empty values and trims the search text', () => {
    expect(productsQueryString({})).toBe('');
    expect(productsQueryString({ q: '  ', category: '', page: 1 })).toBe('');
    expect(productsQueryString({ q: ' lamp ', category: 'home', page: 3, limit: 12 })).toBe(
      '?q=lamp&category=home&page=3&limit=12',
    );
  });

  it('sorts SKUs so the same cart asks the edge for the same URL', () => {
    expect(productsQueryString({ skus: ['SKU-2', 'SKU-1'] })).toBe('?skus=SKU-1%2CSKU-2');
  });
});

describe('errorMessage', () => {
  it("prefers the API's message", () => {
    expect(errorMessage(409, { statusCode: 409, message: 'out of stock: SKU-000001 (only 0 left)' })).toBe(
      'out of stock: SKU-000001 (only 0 left)',
    );
    expect(
      errorMessage(400, { message: ['q must be at least 2 characters', 'page must be an integer'] }),
    ).toBe('q must be at least 2 characters; page must be an integer');
  });

  it('falls back to a plain sentence per status', () => {
    expect(errorMessage(409, undefined)).toBe('Out of stock.');
    expect(errorMessage(503, '<html>')).toMatch(/having trouble \(HTTP 503\)/);
    expect(errorMessage(404, { message: '' })).toBe('Request failed (HTTP 404).');
  });
});

describe(ApiClient.name, () => {
  it('sends the bearer token, JSON body and Idempotency-Key to relative /api', async () => {
    const fetch = fakeFetch(202, { orderId: 'o-1', status: 'PENDING_PAYMENT' });
    const api = new ApiClient(() => 'jwt-1', fetch.impl);
    await expect(api.checkout('key-1')).resolves.toEqual({ orderId: 'o-1', status: 'PENDING_PAYMENT' });
    expect(fetch.calls).toHaveLength(1);
    const [{ url, init }] = fetch.calls;
    expect(url).toBe('/api/checkout');
    expect(init.method).toBe('POST');
    expect(init.headers).toMatchObject({
      authorization: 'Bearer jwt-1',
      'idempotency-key': 'key-1',
      'content-type': 'application/json',
    });
    expect(init.body).toBe('{}');
  });

  it('sends no Authorization header when logged out', async () => {
    const fetch = fakeFetch(200, { items: [], page: 1, limit: 20, total: 0 });
    await new ApiClient(() => null, fetch.impl).products({ q: 'desk' });
    expect(fetch.calls[0].url).toBe('/api/products?q=desk');
    expect(fetch.calls[0].init.headers).not.toHaveProperty('authorization');
  });

  it('turns an error response into an ApiError with the message and request id', async () => {
    const fetch = fakeFetch(
      409,
      { statusCode: 409, error: 'Conflict', message: 'out of stock: SKU-000007', requestId: 'r-9' },
      { 'content-type': 'application/json' },
    );
    const error = await new ApiClient(() => 't', fetch.impl).checkout('k').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 409, message: 'out of stock: SKU-000007', requestId: 'r-9' });
    expect((error as ApiError).retryable).toBe(false);
  });

  it('reports a network failure as a retryable status 0', async () => {
    const api = new ApiClient(
      () => 't',
      () => Promise.reject(new TypeError('fetch failed')),
    );
    const error = (await api.cart().catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(0);
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/Cannot reach the shop/);
  });

  it('encodes path parameters', async () => {
    const fetch = fakeFetch(200, { items: [] });
    await new ApiClient(() => 't', fetch.impl).removeFromCart('SKU/../x');
    expect(fetch.calls[0].url).toBe('/api/cart/items/SKU%2F..%2Fx');
    expect(fetch.calls[0].init.method).toBe('DELETE');
  });
});
