import { RouteMatcher } from './route-matcher';
import { routeTable } from './route-table';

describe(RouteMatcher.name, () => {
  const matcher = new RouteMatcher();

  it('maps a public path to its upstream and rewritten path', () => {
    expect(matcher.match('GET', '/api/products/42')).toMatchObject({
      kind: 'found',
      route: { upstream: 'catalog', auth: 'public' },
      upstreamPath: '/products/42',
    });
    expect(matcher.match('PUT', '/api/admin/stock/SKU-000001')).toMatchObject({
      route: { upstream: 'inventory', auth: 'admin' },
      upstreamPath: '/stock/SKU-000001',
    });
    expect(matcher.match('PUT', '/api/admin/cache/write-strategy')).toMatchObject({
      route: { upstream: 'catalog', auth: 'admin' },
      upstreamPath: '/admin/cache/write-strategy',
    });
    expect(matcher.match('post', '/api/checkout')).toMatchObject({
      route: { upstream: 'orders', rateLimit: 'checkout', timeout: 'checkout' },
      upstreamPath: '/checkout',
    });
  });

  it('prefers a static segment over a parameter (/api/products/top is not product "top")', () => {
    expect(matcher.match('GET', '/api/products/top')).toMatchObject({ upstreamPath: '/products/top' });
    expect(matcher.match('GET', '/api/notifications/stream')).toMatchObject({ route: { stream: true } });
  });

  it('tells an unknown path (404) from a known path with another method (405 + Allow)', () => {
    expect(matcher.match('GET', '/api/nothing/here')).toEqual({ kind: 'not-found' });
    expect(matcher.match('GET', '/api/products/1/extra')).toEqual({ kind: 'not-found' });
    expect(matcher.match('DELETE', '/api/products/1')).toEqual({
      kind: 'method-not-allowed',
      allow: ['GET'],
    });
    expect(matcher.match('PUT', '/api/cart')).toEqual({
      kind: 'method-not-allowed',
      allow: ['GET', 'DELETE'],
    });
  });

  it('refuses parameters that could walk the upstream path, and re-encodes what it forwards', () => {
    for (const path of [
      '/api/products/..',
      '/api/products/..%2Fcart',
      '/api/stock/a%00b',
      '/api/stock/%E0%A4%A',
    ]) {
      expect(matcher.match('GET', path).kind).toBe('bad-parameter');
    }
    expect(matcher.match('GET', '/api/stock/SKU%2D1')).toMatchObject({ upstreamPath: '/stock/SKU-1' });
  });

  it('has no two entries for the same method and path', () => {
    const keys = routeTable.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('needs a signed-in caller on every route that acts for a user, and admin on /api/admin', () => {
    for (const route of routeTable) {
      if (route.path.startsWith('/api/admin/')) expect(route.auth).toBe('admin');
      if (['orders', 'notifications'].includes(route.upstream)) expect(route.auth).not.toBe('public');
    }
  });
});
