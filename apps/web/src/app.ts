// The shell: header with the nav, the flash line, <main> and the footer. It owns the router
// (hash → page module) and the nav's cart count; each page lives in pages/ and gets a PageContext.
import { ApiClient } from './api';
import { countItems } from './cart-summary';
import { CheckoutAttempts } from './checkout-attempt';
import { Flash, handleAuthError, requireLogin, type PageContext, type StillCurrent } from './context';
import { h, replace } from './dom';
import { describeError } from './errors';
import { renderArchitecture } from './pages/architecture';
import { renderCart } from './pages/cart';
import { renderLogin } from './pages/login';
import { renderOrder } from './pages/order';
import { renderOrders } from './pages/orders';
import { renderProduct } from './pages/product';
import { renderProducts } from './pages/products';
import { parseRoute, type Route } from './router';
import { Session } from './session';

export class App {
  private readonly nav = h('nav', { 'aria-label': 'Main' });
  private readonly flash = new Flash();
  private readonly view = h('main', { id: 'main', tabindex: -1 });
  private readonly session = new Session(window.sessionStorage);
  private readonly ctx: PageContext;
  /** Bumped on every render: a page whose answer arrives after the next render drops it. */
  private renderSeq = 0;
  private leave: (() => void) | null = null;
  private cartCount: number | null = null;

  constructor(root: HTMLElement) {
    this.ctx = {
      session: this.session,
      api: new ApiClient(() => this.session.token),
      view: this.view,
      flash: this.flash,
      checkout: { attempts: new CheckoutAttempts(), last: null },
      go: (hash) => this.go(hash),
      rerender: () => this.render(),
      onLeave: (stop) => {
        this.leave = stop;
      },
      setCartCount: (count) => {
        this.cartCount = count;
        this.renderNav();
      },
      refreshCartCount: () => this.refreshCartCount(),
    };
    replace(
      root,
      h('header', { class: 'site-header' }, h('a', { href: '#/', class: 'brand' }, 'SDP Store'), this.nav),
      this.flash.element,
      this.view,
      h(
        'footer',
        { class: 'site-footer' },
        'Demo storefront of the system-design platform: every request goes through /api.',
      ),
    );
  }

  start(): void {
    window.addEventListener('hashchange', () => void this.render());
    this.session.onChange(() => {
      this.cartCount = null;
      this.renderNav();
    });
    this.renderNav();
    void this.render();
    void this.refreshCartCount();
  }

  private renderNav(): void {
    const user = this.session.user;
    const count = this.cartCount === null ? '' : ` (${this.cartCount})`;
    replace(
      this.nav,
      h(
        'ul',
        {},
        h('li', {}, h('a', { href: '#/', testid: 'nav-products' }, 'Products')),
        h('li', {}, h('a', { href: '#/cart', testid: 'nav-cart' }, `Cart${count}`)),
        h('li', {}, h('a', { href: '#/orders', testid: 'nav-orders' }, 'My orders')),
        h('li', {}, h('a', { href: '#/architecture', testid: 'nav-architecture' }, 'Architecture')),
        user
          ? h(
              'li',
              { class: 'user' },
              h('span', { testid: 'user-email' }, user.email),
              ' ',
              h(
                'button',
                { type: 'button', class: 'link', testid: 'logout-button', onclick: () => this.logout() },
                'Log out',
              ),
            )
          : h('li', {}, h('a', { href: '#/login', testid: 'nav-login' }, 'Log in')),
      ),
    );
  }

  private go(hash: string): void {
    if (window.location.hash === hash) void this.render();
    else window.location.hash = hash;
  }

  private logout(): void {
    this.session.clear();
    this.flash.say('You are logged out.');
    this.go('#/');
  }

  private async refreshCartCount(): Promise<void> {
    if (!this.session.token) return;
    try {
      this.cartCount = countItems((await this.ctx.api.cart()).items);
    } catch {
      this.cartCount = null;
    }
    this.renderNav();
  }

  private async render(): Promise<void> {
    const seq = ++this.renderSeq;
    this.flash.turnPage();
    this.leave?.();
    this.leave = null;
    const route = parseRoute(window.location.hash);
    const current = () => seq === this.renderSeq;
    try {
      await this.renderRoute(route, current);
    } catch (error) {
      if (!current()) return;
      if (handleAuthError(this.ctx, error, window.location.hash || '#/')) return;
      replace(
        this.view,
        h('p', { class: 'error', role: 'alert', testid: 'page-error' }, describeError(error)),
      );
    }
  }

  /** The route table. Cart and orders are personal: without a session they go to the login page first. */
  private async renderRoute(route: Route, current: StillCurrent): Promise<void> {
    const ctx = this.ctx;
    switch (route.name) {
      case 'products':
        return renderProducts(ctx, route, current);
      case 'product':
        return renderProduct(ctx, route.id, current);
      case 'login':
        return renderLogin(ctx, route.next);
      case 'cart':
        if (requireLogin(ctx, '#/cart')) await renderCart(ctx, current);
        return;
      case 'orders':
        if (requireLogin(ctx, '#/orders')) await renderOrders(ctx, current);
        return;
      case 'order':
        if (requireLogin(ctx, `#/orders/${route.id}`)) await renderOrder(ctx, route.id, current);
        return;
      case 'architecture':
        if (requireLogin(ctx, '#/architecture')) await renderArchitecture(ctx, current);
        return;
      case 'not-found':
        replace(
          this.view,
          h('h1', {}, 'Page not found'),
          h('p', {}, h('a', { href: '#/' }, 'Back to the products')),
        );
    }
  }
}
