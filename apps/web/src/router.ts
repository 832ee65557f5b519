// Hash routes (#/product/12): the edge only has to serve one index.html, with no rewrite rules,
// and a reload or a shared link lands on the same view.

export type Route =
  | { name: 'products'; q: string; category: string; page: number }
  | { name: 'product'; id: number }
  | { name: 'login'; next: string }
  | { name: 'cart' }
  | { name: 'orders' }
  | { name: 'order'; id: string }
  | { name: 'architecture' }
  | { name: 'not-found'; path: string };

function positiveInt(text: string | null, fallback: number): number {
  const n = Number(text);
  return Number.isSafeInteger(n) && n >= 1 ? n : fallback;
}

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/';
  const [pathPart, queryPart = ''] = raw.split('?', 2);
  const path = pathPart.replace(/\/+$/, '') || '/';
  const query = new URLSearchParams(queryPart);
  if (path === '/' || path === '/products') {
    return {
      name: 'products',
      q: query.get('q') ?? '',
      category: query.get('category') ?? '',
      page: positiveInt(query.get('page'), 1),
    };
  }
  const product = /^\/product\/(\d+)$/.exec(path);
  if (product) return { name: 'product', id: Number(product[1]) };
  if (path === '/login') return { name: 'login', next: query.get('next') ?? '#/' };
  if (path === '/cart') return { name: 'cart' };
  if (path === '/orders') return { name: 'orders' };
  if (path === '/architecture') return { name: 'architecture' };
  const order = /^\/orders\/([0-9a-fA-F-]{1,64})$/.exec(path);
  if (order) return { name: 'order', id: order[1] };
  return { name: 'not-found', path };
}

export function productsHref(q: string, category: string, page = 1): string {
  const params = new URLSearchParams();
  if (q.trim()) params.set('q', q.trim());
  if (category) params.set('category', category);
  if (page > 1) params.set('page', String(page));
  const text = params.toString();
  return text ? `#/?${text}` : '#/';
}

/** The login page, coming back to `next` afterwards. */
export function loginHref(next: string): string {
  return `#/login?next=${encodeURIComponent(next)}`;
}

/** Where to go after logging in: only a page of this app, and never the login page itself. */
export function afterLogin(next: string): string {
  return next.startsWith('#/') && !next.startsWith('#/login') ? next : '#/';
}
