// #/cart — the lines with prices, editable quantities, and "Check out". The cart holds only
// {sku, quantity}; prices come from the catalog here and are set again by the server at checkout.
import { ApiError, type Product } from '../api';
import { countItems, MAX_QUANTITY, quantityProblem, summarizeCart, type CartRow } from '../cart-summary';
import { handleAuthError, showLoading, type PageContext, type StillCurrent } from '../context';
import { h, replace, tableHead } from '../dom';
import { describeError, outOfStockMessage } from '../errors';
import { formError } from '../form';
import { formatCents } from '../money';

const HERE = '#/cart';

const cents = (value: number | null): string => (value === null ? '—' : formatCents(value));

export async function renderCart(ctx: PageContext, current: StillCurrent): Promise<void> {
  showLoading(ctx, 'Loading your cart…');
  const cart = await ctx.api.cart();
  if (!current()) return;
  ctx.setCartCount(countItems(cart.items));
  if (cart.items.length === 0) {
    replace(
      ctx.view,
      h('h1', {}, 'Your cart'),
      h('p', { testid: 'cart-empty' }, 'Your cart is empty. ', h('a', { href: '#/' }, 'Browse products')),
    );
    return;
  }
  let products: Product[] = [];
  let priceNote: string | null = null;
  try {
    products = (await ctx.api.products({ skus: cart.items.map((l) => l.sku), limit: 100 })).items;
  } catch (error) {
    priceNote = `Prices could not be loaded (${describeError(error)}); checkout still prices your order.`;
  }
  if (!current()) return;
  const summary = summarizeCart(cart.items, products);
  const error = formError('checkout-error');
  const checkout = h(
    'button',
    { type: 'button', class: 'primary', testid: 'checkout-button' },
    ctx.checkout.attempts.pending ? 'Retry checkout' : 'Check out',
  );
  checkout.addEventListener('click', () => void placeOrder(ctx, checkout, error));
  replace(
    ctx.view,
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
      h(
        'tbody',
        {},
        summary.rows.map((row) => cartLine(ctx, row, error)),
      ),
      h(
        'tfoot',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'row', colspan: 3 }, 'Subtotal'),
          h('td', { class: 'num', testid: 'cart-subtotal' }, cents(summary.subtotalCents)),
          h('td'),
        ),
      ),
    ),
    priceNote ? h('p', { class: 'muted' }, priceNote) : null,
    h('div', { class: 'actions' }, checkout),
    error,
  );
}

function cartLine(ctx: PageContext, row: CartRow, error: HTMLElement): HTMLTableRowElement {
  const qty = h('input', {
    type: 'number',
    min: 1,
    max: MAX_QUANTITY,
    value: row.quantity,
    'aria-label': `Quantity of ${row.name}`,
    testid: 'cart-qty',
  });
  qty.addEventListener('change', () => {
    const problem = quantityProblem(qty.valueAsNumber);
    if (problem) error.textContent = problem;
    else void changeCart(ctx, error, () => ctx.api.setCartQuantity(row.sku, qty.valueAsNumber));
  });
  const remove = () => void changeCart(ctx, error, () => ctx.api.removeFromCart(row.sku));
  return h(
    'tr',
    { testid: 'cart-line', 'data-sku': row.sku },
    h('td', {}, row.name, h('br'), h('code', { class: 'muted' }, row.sku)),
    h('td', { class: 'num' }, cents(row.unitCents)),
    h('td', {}, qty),
    h('td', { class: 'num' }, cents(row.lineCents)),
    h(
      'td',
      {},
      h('button', { type: 'button', class: 'link', testid: 'cart-remove', onclick: remove }, 'Remove'),
    ),
  );
}

/** A quantity change or a removal, then the cart drawn again from the server's answer. */
async function changeCart(
  ctx: PageContext,
  error: HTMLElement,
  change: () => Promise<unknown>,
): Promise<void> {
  try {
    await change();
    await ctx.rerender();
  } catch (e) {
    if (!handleAuthError(ctx, e, HERE)) error.textContent = describeError(e);
  }
}

async function placeOrder(ctx: PageContext, button: HTMLButtonElement, error: HTMLElement): Promise<void> {
  const { attempts } = ctx.checkout;
  button.disabled = true;
  error.textContent = '';
  const key = attempts.key();
  try {
    const accepted = await ctx.api.checkout(key);
    attempts.settle();
    ctx.checkout.last = accepted;
    ctx.setCartCount(0);
    ctx.go(`#/orders/${accepted.orderId}`);
  } catch (e) {
    if (e instanceof ApiError && e.retryable) {
      // Same attempt, same key: a retry cannot place the order twice.
      error.textContent = `${describeError(e)} Your order was not confirmed yet; “Retry checkout” is safe.`;
      button.textContent = 'Retry checkout';
    } else {
      attempts.settle();
      if (handleAuthError(ctx, e, HERE)) return;
      error.textContent = e instanceof ApiError && e.status === 409 ? outOfStockMessage(e) : describeError(e);
      button.textContent = 'Check out';
    }
  } finally {
    button.disabled = false;
  }
}
