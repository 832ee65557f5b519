import { afterLogin, loginHref, parseRoute, productsHref } from './router';

describe('parseRoute', () => {
  it('reads the product list with its search, category and page', () => {
    expect(parseRoute('')).toEqual({ name: 'products', q: '', category: '', page: 1 });
    expect(parseRoute('#/?q=desk%20lamp&category=home&page=2')).toEqual({
      name: 'products',
      q: 'desk lamp',
      category: 'home',
      page: 2,
    });
    expect(parseRoute('#/?page=-3')).toMatchObject({ name: 'products', page: 1 });
  });

  it('reads product, login, cart and order routes', () => {
    expect(parseRoute('#/product/42')).toEqual({ name: 'product', id: 42 });
    expect(parseRoute('#/login?next=%23%2Fcart')).toEqual({ name: 'login', next: '#/cart' });
    expect(parseRoute('#/cart/')).toEqual({ name: 'cart' });
    expect(parseRoute('#/orders')).toEqual({ name: 'orders' });
    expect(parseRoute('#/orders/3f1c2a9e-0000-4000-8000-000000000001')).toEqual({
      name: 'order',
      id: '3f1c2a9e-0000-4000-8000-000000000001',
    });
  });

  it('names unknown paths', () => {
    expect(parseRoute('#/product/abc')).toEqual({ name: 'not-found', path: '/product/abc' });
  });
});

describe('productsHref', () => {
  it('round-trips through parseRoute', () => {
    const href = productsHref(' mug ', 'kitchen', 3);
    expect(href).toBe('#/?q=mug&category=kitchen&page=3');
    expect(parseRoute(href)).toEqual({ name: 'products', q: 'mug', category: 'kitchen', page: 3 });
    expect(productsHref('', '')).toBe('#/');
  });
});

describe('loginHref and afterLogin', () => {
  it('round-trips the page to come back to', () => {
    const href = loginHref('#/orders/abc?x=1');
    expect(href).toBe('#/login?next=%23%2Forders%2Fabc%3Fx%3D1');
    expect(parseRoute(href)).toEqual({ name: 'login', next: '#/orders/abc?x=1' });
  });

  it('only returns to pages of this app, never to the login page', () => {
    expect(afterLogin('#/cart')).toBe('#/cart');
    expect(afterLogin('https://evil.example/')).toBe('#/');
    expect(afterLogin('#/login?next=%23%2Fcart')).toBe('#/');
  });
});
