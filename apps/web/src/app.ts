import { ApiClient, ApiError, type CheckoutAccepted, type Order, type Product } from './api';
import { summarizeCart } from './cart-summary';
import { CATEGORIES, DEMO_EMAIL } from './categories';
import { CheckoutAttempts } from './checkout-attempt';
import { h, replace, tableHead } from './dom';
import { formatCents } from './money';
import { orderTracker, startTracking, type OrderTrackerState } from './order-tracker';
import { watchOrder } from './order-watch';
import { parseRoute, productsHref, type Route } from './router';
import { Session } from './session';

const PAGE_SIZE = 12;

const STATUS_TEXT: Record<Order['status'], string> = {
  PENDING_PAYMENT: 'Waiting for the payment result…',
  CONFIRMED: 'Paid and confirmed. Thank you!',
  CANCELLED: 'Cancelled: the payment did not go through, and the items were released.',
};

const TRANSPORT_TEXT: Record<OrderTrackerState['transport'], string> = {
  connecting: 'Connecting for live updates…',
  sse: 'Live updates (server-sent events)',
  polling: 'Live stream unavailable: checking every 2 s',
  done: 'Final status',
};

const FINAL_SOURCE_TEXT: Record<OrderTrackerState['source'], string> = {
  checkout: 'Final status',
  sse: 'Outcome pushed live over server-sent events',
  poll: 'Outcome read from the order (GET /api/orders/:id)',
};

function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    return error.requestId ? `${error.message} (request ${error.requestId})` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** 409 at checkout: say "Out of stock" plainly, once, whatever the API's wording. */
function outOfStockMessage(error: ApiError): string {
  const detail = describeError(error);
  const text = /^out of stock/i.test(detail)
    ? `Out of stock${detail.slice('out of stock'.length)}`
    : `Out of stock: ${detail}`;
  return `${text}. Lower the quantity or remove the item, then check out again.`;
}

export class App {
  private readonly session = new Session(window.sessionStorage);
  private readonly api = new ApiClient(() => this.session.token);
  private readonly attempts = new CheckoutAttempts();
  private readonly view: HTMLElement;
  private readonly flash: HTMLElement;
  private readonly nav: HTMLElement;
  private renderSeq = 0;
  /** A message set just before navigating survives that one render, then clears. */
  private flashFresh = false;
  private stopWatching: (() => void) | null = null;
  private lastCheckout: CheckoutAccepted | null = null;
  private cartCount: number | null = null;

  constructor(private readonly root: HTMLElement) {
    this.nav = h('nav', { 'aria-label': 'Main' });
    this.flash = h('div', { class: 'flash', role: 'status', 'aria-live': 'polite', testid: 'flash' });
    this.view = h('main', { id: 'main', tabindex: -1 });
    replace(
      root,
      h('header', { class: 'site-header' }, h('a', { href: '#/', class: 'brand' }, 'SDP Store'), this.nav),
      this.flash,
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

  // ----- shell -------------------------------------------------------------------------------

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

  private say(message: string, kind: 'info' | 'error' = 'info'): void {
    this.flash.className = `flash ${kind}`;
    this.flash.textContent = message;
    this.flashFresh = true;
  }

  private go(hash: string): void {
    if (window.location.hash === hash) void this.render();
    else window.location.hash = hash;
  }

  private logout(): void {
    this.session.clear();
    this.say('You are logged out.');
    this.go('#/');
  }

  private async refreshCartCount(): Promise<void> {
    if (!this.session.token) return;
    try {
      const cart = await this.api.cart();
      this.cartCount = cart.items.reduce((n, line) => n + line.quantity, 0);
    } catch {
      this.cartCount = null;
    }
    this.renderNav();
  }

  /** 401 while logged in: the token expired or was revoked. */
  private handleAuthError(error: unknown, next: string): boolean {
    if (error instanceof ApiError && error.status === 401) {
      this.session.clear();
      this.say('Your session has expired. Please log in again.', 'error');
      this.go(`#/login?next=${encodeURIComponent(next)}`);
      return true;
    }
    return false;
  }

  private async render(): Promise<void> {
    const seq = ++this.renderSeq;
    if (this.flashFresh) this.flashFresh = false;
    else this.flash.textContent = '';
    this.stopWatching?.();
    this.stopWatching = null;
    const route = parseRoute(window.location.hash);
    const current = () => seq === this.renderSeq;
    try {
      await this.renderRoute(route, current);
    } catch (error) {
      if (!current()) return;
      if (this.handleAuthError(error, window.location.hash || '#/')) return;
      replace(
        this.view,
        h('p', { class: 'error', role: 'alert', testid: 'page-error' }, describeError(error)),
      );
    }
  }

  private renderRoute(route: Route, current: () => boolean): Promise<void> {
    switch (route.name) {
      case 'products':
        return this.renderProducts(route, current);
      case 'product':
        return this.renderProduct(route.id, current);
      case 'login':
        this.renderLogin(route.next);
        return Promise.resolve();
      case 'cart':
        return this.requireLogin('#/cart') ? this.renderCart(current) : Promise.resolve();
      case 'orders':
        return this.requireLogin('#/orders') ? this.renderOrders(current) : Promise.resolve();
      case 'order':
        return this.requireLogin(`#/orders/${route.id}`)
          ? this.renderOrder(route.id, current)
          : Promise.resolve();
      case 'not-found':
        replace(
          this.view,
          h('h1', {}, 'Page not found'),
          h('p', {}, h('a', { href: '#/' }, 'Back to the products')),
        );
        return Promise.resolve();
    }
  }

  private requireLogin(next: string): boolean {
    if (this.session.token) return true;
    this.go(`#/login?next=${encodeURIComponent(next)}`);
    return false;
  }

  private loading(text: string): void {
    replace(this.view, h('p', { class: 'loading', 'aria-busy': 'true' }, text));
  }

  // ----- products ----------------------------------------------------------------------------

  private async renderProducts(
    route: Extract<Route, { name: 'products' }>,
    current: () => boolean,
  ): Promise<void> {
    const search = h('input', {
      type: 'search',
      name: 'q',
      id: 'search-q',
      value: route.q,
      placeholder: 'Search products',
      minlength: 2,
      maxlength: 64,
      testid: 'search-input',
    });
    const category = h(
      'select',
      { name: 'category', id: 'search-category', testid: 'category-select' },
      h('option', { value: '' }, 'All categories'),
      CATEGORIES.map((c) => h('option', { value: c.slug, selected: c.slug === route.category }, c.name)),
    );
    const form = h(
      'form',
      { role: 'search', class: 'search', testid: 'search-form' },
      h('label', { for: 'search-q', class: 'visually-hidden' }, 'Search'),
      search,
      h('label', { for: 'search-category', class: 'visually-hidden' }, 'Category'),
      category,
      h('button', { type: 'submit', testid: 'search-button' }, 'Search'),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.go(productsHref(search.value, category.value));
    });
    category.addEventListener('change', () => this.go(productsHref(search.value, category.value)));
    const results = h(
      'section',
      { 'aria-label': 'Products', 'aria-busy': 'true' },
      h('p', { class: 'loading' }, 'Loading products…'),
    );
    replace(this.view, h('h1', {}, 'Products'), form, results);

    const page = await this.api.products({
      q: route.q,
      category: route.category,
      page: route.page,
      limit: PAGE_SIZE,
    });
    if (!current()) return;
    results.removeAttribute('aria-busy');
    if (page.items.length === 0) {
      replace(results, h('p', { testid: 'product-empty' }, 'No products match your search.'));
      return;
    }
    const pages = Math.max(1, Math.ceil(page.total / page.limit));
    replace(
      results,
      h('p', { class: 'muted', testid: 'product-count' }, `${page.total} products`),
      h(
        'ul',
        { class: 'grid', testid: 'product-list' },
        page.items.map((p) =>
          h(
            'li',
            { class: 'card', testid: 'product-card', 'data-sku': p.sku },
            h('a', { href: `#/product/${p.id}`, testid: 'product-link' }, h('h2', {}, p.name)),
            h('p', { class: 'muted' }, p.category.name),
            h('p', { class: 'price' }, formatCents(p.priceCents)),
          ),
        ),
      ),
      h(
        'nav',
        { class: 'pager', 'aria-label': 'Pages' },
        page.page > 1
          ? h(
              'a',
              { href: productsHref(route.q, route.category, page.page - 1), testid: 'page-prev' },
              '← Previous',
            )
          : h('span', {}),
        h('span', { testid: 'page-info' }, `Page ${page.page} of ${pages}`),
        page.page < pages
          ? h(
              'a',
              { href: productsHref(route.q, route.category, page.page + 1), testid: 'page-next' },
              'Next →',
            )
          : h('span', {}),
      ),
    );
  }

  private async renderProduct(id: number, current: () => boolean): Promise<void> {
    this.loading('Loading product…');
    const product = await this.api.product(id);
    if (!current()) return;
    const stock = h('p', { class: 'stock', testid: 'product-stock' }, 'Checking stock…');
    const quantity = h('input', {
      type: 'number',
      id: 'quantity',
      name: 'quantity',
      min: 1,
      max: 100,
      value: 1,
      required: true,
      testid: 'quantity-input',
    });
    const add = h(
      'button',
      { type: 'submit', testid: 'add-to-cart' },
      this.session.token ? 'Add to cart' : 'Log in to buy',
    );
    const message = h('p', { role: 'status', testid: 'add-to-cart-result' });
    const form = h('form', { class: 'buy' }, h('label', { for: 'quantity' }, 'Quantity'), quantity, add);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.addToCart(product, quantity.valueAsNumber, add, message);
    });
    replace(
      this.view,
      h('p', {}, h('a', { href: '#/' }, '← All products')),
      h(
        'article',
        { class: 'product', testid: 'product-detail', 'data-sku': product.sku },
        h('h1', { testid: 'product-name' }, product.name),
        h(
          'p',
          { class: 'muted' },
          `${product.category.name} · SKU `,
          h('code', { testid: 'product-sku' }, product.sku),
        ),
        h('p', { class: 'price big', testid: 'product-price' }, formatCents(product.priceCents)),
        h('p', {}, product.description),
        stock,
        form,
        message,
      ),
    );
    try {
      const level = await this.api.stock(product.sku);
      if (!current()) return;
      stock.dataset.available = String(level.available);
      stock.textContent = level.available > 0 ? `In stock: ${level.available} available` : 'Out of stock';
      stock.classList.toggle('out', level.available <= 0);
      quantity.max = String(Math.max(1, Math.min(100, level.available)));
      // Nothing to hold: buying would only end in a 409 at checkout.
      add.disabled = level.available <= 0;
    } catch (error) {
      if (current()) stock.textContent = `Stock unknown: ${describeError(error)}`;
    }
  }

  private async addToCart(
    product: Product,
    quantity: number,
    button: HTMLButtonElement,
    message: HTMLElement,
  ): Promise<void> {
    const here = `#/product/${product.id}`;
    if (!this.requireLogin(here)) return;
    if (!Number.isInteger(quantity) || quantity < 1) {
      message.className = 'error';
      message.textContent = 'Quantity must be a whole number from 1 to 100.';
      return;
    }
    button.disabled = true;
    try {
      const cart = await this.api.addToCart(product.sku, quantity);
      this.cartCount = cart.items.reduce((n, line) => n + line.quantity, 0);
      this.renderNav();
      message.className = 'ok';
      replace(
        message,
        document.createTextNode(`Added ${quantity} × ${product.name} to your cart. `),
        h('a', { href: '#/cart', testid: 'go-to-cart' }, 'View cart'),
      );
    } catch (error) {
      if (this.handleAuthError(error, here)) return;
      message.className = 'error';
      message.textContent = describeError(error);
    } finally {
      button.disabled = false;
    }
  }

  // ----- login -------------------------------------------------------------------------------

  private renderLogin(next: string): void {
    const target = next.startsWith('#/') && !next.startsWith('#/login') ? next : '#/';
    const email = h('input', {
      type: 'email',
      id: 'login-email',
      name: 'email',
      autocomplete: 'username',
      required: true,
      testid: 'login-email',
    });
    const password = h('input', {
      type: 'password',
      id: 'login-password',
      name: 'password',
      autocomplete: 'current-password',
      required: true,
      testid: 'login-password',
    });
    const error = h('p', { class: 'error', role: 'alert', testid: 'login-error' });
    const submit = h('button', { type: 'submit', testid: 'login-submit' }, 'Log in');
    const form = h(
      'form',
      { class: 'stack', testid: 'login-form' },
      h('label', { for: 'login-email' }, 'Email'),
      email,
      h('label', { for: 'login-password' }, 'Password'),
      password,
      submit,
      error,
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      submit.disabled = true;
      error.textContent = '';
      this.api
        .login(email.value.trim(), password.value)
        .then((result) => {
          this.session.start(result);
          this.say(`Welcome, ${result.user.name ?? result.user.email}.`);
          void this.refreshCartCount();
          this.go(target);
        })
        .catch((e: unknown) => {
          error.textContent = describeError(e);
        })
        .finally(() => {
          submit.disabled = false;
        });
    });
    const hint = h(
      'p',
      { class: 'hint', testid: 'demo-hint' },
      'Demo account: ',
      h('code', {}, DEMO_EMAIL),
      ' with the stack’s demo password. ',
      h(
        'button',
        {
          type: 'button',
          class: 'link',
          testid: 'use-demo-email',
          onclick: () => {
            email.value = DEMO_EMAIL;
            password.focus();
          },
        },
        'Use the demo email',
      ),
    );
    replace(this.view, h('h1', {}, 'Log in'), hint, form, this.registerForm(target));
    email.focus();
  }

  private registerForm(target: string): HTMLElement {
    const name = h('input', {
      id: 'register-name',
      name: 'name',
      autocomplete: 'name',
      required: true,
      testid: 'register-name',
    });
    const email = h('input', {
      type: 'email',
      id: 'register-email',
      name: 'email',
      autocomplete: 'email',
      required: true,
      testid: 'register-email',
    });
    const password = h('input', {
      type: 'password',
      id: 'register-password',
      name: 'password',
      autocomplete: 'new-password',
      minlength: 8,
      required: true,
      testid: 'register-password',
    });
    const error = h('p', { class: 'error', role: 'alert', testid: 'register-error' });
    const submit = h('button', { type: 'submit', testid: 'register-submit' }, 'Create account');
    const form = h(
      'form',
      { class: 'stack' },
      h('label', { for: 'register-name' }, 'Name'),
      name,
      h('label', { for: 'register-email' }, 'Email'),
      email,
      h('label', { for: 'register-password' }, 'Password (at least 8 characters)'),
      password,
      submit,
      error,
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      submit.disabled = true;
      error.textContent = '';
      const address = email.value.trim();
      this.api
        .register(address, password.value, name.value.trim())
        .then(() => this.api.login(address, password.value))
        .then((result) => {
          this.session.start(result);
          this.say(`Account created. Welcome, ${result.user.name ?? result.user.email}.`);
          this.go(target);
        })
        .catch((e: unknown) => {
          error.textContent = describeError(e);
        })
        .finally(() => {
          submit.disabled = false;
        });
    });
    return h('details', { class: 'register' }, h('summary', {}, 'New here? Create an account'), form);
  }

  // ----- cart and checkout ---------------------------------------------------------------------

  private async renderCart(current: () => boolean): Promise<void> {
    this.loading('Loading your cart…');
    const cart = await this.api.cart();
    if (!current()) return;
    this.cartCount = cart.items.reduce((n, line) => n + line.quantity, 0);
    this.renderNav();
    if (cart.items.length === 0) {
      replace(
        this.view,
        h('h1', {}, 'Your cart'),
        h('p', { testid: 'cart-empty' }, 'Your cart is empty. ', h('a', { href: '#/' }, 'Browse products')),
      );
      return;
    }
    let products: Product[] = [];
    let priceNote: string | null = null;
    try {
      products = (await this.api.products({ skus: cart.items.map((l) => l.sku), limit: 100 })).items;
    } catch (error) {
      priceNote = `Prices could not be loaded (${describeError(error)}); checkout still prices your order.`;
    }
    if (!current()) return;
    const summary = summarizeCart(cart.items, products);
    const error = h('p', { class: 'error', role: 'alert', testid: 'checkout-error' });
    const checkout = h(
      'button',
      { type: 'button', class: 'primary', testid: 'checkout-button' },
      this.attempts.pending ? 'Retry checkout' : 'Check out',
    );
    checkout.addEventListener('click', () => void this.checkout(checkout, error));
    const rows = summary.rows.map((row) => {
      const qty = h('input', {
        type: 'number',
        min: 1,
        max: 100,
        value: row.quantity,
        'aria-label': `Quantity of ${row.name}`,
        testid: 'cart-qty',
      });
      qty.addEventListener('change', () => void this.changeQuantity(row.sku, qty.valueAsNumber, error));
      return h(
        'tr',
        { testid: 'cart-line', 'data-sku': row.sku },
        h('td', {}, row.name, h('br'), h('code', { class: 'muted' }, row.sku)),
        h('td', { class: 'num' }, row.unitCents === null ? '—' : formatCents(row.unitCents)),
        h('td', {}, qty),
        h('td', { class: 'num' }, row.lineCents === null ? '—' : formatCents(row.lineCents)),
        h(
          'td',
          {},
          h(
            'button',
            {
              type: 'button',
              class: 'link',
              testid: 'cart-remove',
              onclick: () => void this.removeLine(row.sku, error),
            },
            'Remove',
          ),
        ),
      );
    });
    replace(
      this.view,
      h('h1', {}, 'Your cart'),
      h(
        'table',
        { class: 'lines', testid: 'cart-table' },
        tableHead(
          { label: 'Item' },
          { label: 'Price', num: true },
          { label: 'Quantity' },
          { label: 'Total', num: true },
          { label: h('span', { class: 'visually-hidden' }, 'Actions') },
        ),
        h('tbody', {}, rows),
        h(
          'tfoot',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'row', colspan: 3 }, 'Subtotal'),
            h(
              'td',
              { class: 'num', testid: 'cart-subtotal' },
              summary.subtotalCents === null ? '—' : formatCents(summary.subtotalCents),
            ),
            h('td'),
          ),
        ),
      ),
      priceNote ? h('p', { class: 'muted' }, priceNote) : null,
      h('div', { class: 'actions' }, checkout),
      error,
    );
  }

  private async changeQuantity(sku: string, quantity: number, error: HTMLElement): Promise<void> {
    if (!Number.isInteger(quantity) || quantity < 1) {
      error.textContent = 'Quantity must be a whole number from 1 to 100.';
      return;
    }
    try {
      await this.api.setCartQuantity(sku, quantity);
      await this.render();
    } catch (e) {
      if (!this.handleAuthError(e, '#/cart')) error.textContent = describeError(e);
    }
  }

  private async removeLine(sku: string, error: HTMLElement): Promise<void> {
    try {
      await this.api.removeFromCart(sku);
      await this.render();
    } catch (e) {
      if (!this.handleAuthError(e, '#/cart')) error.textContent = describeError(e);
    }
  }

  private async checkout(button: HTMLButtonElement, error: HTMLElement): Promise<void> {
    button.disabled = true;
    error.textContent = '';
    const key = this.attempts.key();
    try {
      const accepted = await this.api.checkout(key);
      this.attempts.settle();
      this.lastCheckout = accepted;
      this.cartCount = 0;
      this.renderNav();
      this.go(`#/orders/${accepted.orderId}`);
    } catch (e) {
      if (e instanceof ApiError && e.retryable) {
        // Same attempt, same key: a retry cannot place the order twice.
        error.textContent = `${describeError(e)} Your order was not confirmed yet; “Retry checkout” is safe.`;
        button.textContent = 'Retry checkout';
      } else {
        this.attempts.settle();
        if (this.handleAuthError(e, '#/cart')) return;
        error.textContent =
          e instanceof ApiError && e.status === 409 ? outOfStockMessage(e) : describeError(e);
        button.textContent = 'Check out';
      }
    } finally {
      button.disabled = false;
    }
  }

  // ----- orders ------------------------------------------------------------------------------

  private async renderOrders(current: () => boolean): Promise<void> {
    this.loading('Loading your orders…');
    const page = await this.api.orders();
    if (!current()) return;
    if (page.items.length === 0) {
      replace(this.view, h('h1', {}, 'My orders'), h('p', { testid: 'orders-empty' }, 'No orders yet.'));
      return;
    }
    replace(
      this.view,
      h('h1', {}, 'My orders'),
      h(
        'table',
        { class: 'lines', testid: 'orders-table' },
        tableHead(
          { label: 'Order' },
          { label: 'Placed' },
          { label: 'Status' },
          { label: 'Total', num: true },
        ),
        h(
          'tbody',
          {},
          page.items.map((o) =>
            h(
              'tr',
              { testid: 'order-row', 'data-order-id': o.id },
              h('td', {}, h('a', { href: `#/orders/${o.id}` }, h('code', {}, o.id.slice(0, 8)))),
              h('td', {}, new Date(o.createdAt).toLocaleString()),
              h('td', {}, h('span', { class: `badge ${o.status.toLowerCase()}` }, o.status)),
              h('td', { class: 'num' }, formatCents(o.totalCents)),
            ),
          ),
        ),
      ),
    );
  }

  private async renderOrder(id: string, current: () => boolean): Promise<void> {
    const token = this.session.token;
    if (!token) return;
    const status = h('span', { class: 'badge', testid: 'order-status' });
    const explanation = h('p', { testid: 'order-status-text' });
    const transport = h('p', { class: 'muted', testid: 'order-updates' });
    const details = h('section', { 'aria-label': 'Items' });
    let state: OrderTrackerState = startTracking(
      id,
      this.lastCheckout?.orderId === id ? this.lastCheckout.status : 'PENDING_PAYMENT',
    );
    const show = (): void => {
      status.textContent = state.status;
      status.dataset.status = state.status;
      status.dataset.source = state.source;
      status.className = `badge ${state.status.toLowerCase()}`;
      explanation.textContent = state.reason
        ? `${STATUS_TEXT[state.status]} (${state.reason})`
        : STATUS_TEXT[state.status];
      transport.textContent =
        state.transport === 'done' ? FINAL_SOURCE_TEXT[state.source] : TRANSPORT_TEXT[state.transport];
      transport.dataset.transport = state.transport;
    };
    replace(
      this.view,
      h('h1', {}, 'Order ', h('code', { testid: 'order-id' }, id)),
      h('p', { class: 'status-line', 'aria-live': 'polite' }, 'Status: ', status),
      explanation,
      transport,
      details,
    );
    show();

    const fromCheckout = this.lastCheckout?.orderId === id;
    let order: Order | null = null;
    if (!fromCheckout) {
      order = await this.api.order(id);
      if (!current()) return;
      state = startTracking(id, order.status, 'poll');
      show();
    }
    if (state.transport !== 'done') {
      this.stopWatching = watchOrder({
        orderId: id,
        token,
        fetchOrder: (orderId) => this.api.order(orderId),
        onStatus: (next, source, reason) => {
          state = orderTracker(state, { type: 'status', status: next, source, reason });
          show();
        },
        onTransport: (next) => {
          state = orderTracker(state, { type: 'transport', transport: next });
          show();
        },
      });
    }
    try {
      order ??= await this.api.order(id);
      if (!current()) return;
      replace(
        details,
        h('h2', {}, 'Items'),
        h(
          'ul',
          { testid: 'order-items' },
          order.items.map((line) => h('li', {}, `${line.quantity} × `, h('code', {}, line.sku))),
        ),
        h('p', {}, 'Total: ', h('strong', { testid: 'order-total' }, formatCents(order.totalCents))),
      );
    } catch (error) {
      if (current())
        replace(details, h('p', { class: 'muted' }, `Order details unavailable: ${describeError(error)}`));
    }
  }
}
