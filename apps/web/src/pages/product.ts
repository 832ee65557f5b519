// #/product/:id — one product with live stock and "Add to cart". The product comes from the
// edge cache; the stock is read fresh (no-store), so the page never offers what is gone.
import type { Product } from '../api';
import { countItems, MAX_QUANTITY, quantityProblem } from '../cart-summary';
import { handleAuthError, requireLogin, showLoading, type PageContext, type StillCurrent } from '../context';
import { h, replace } from '../dom';
import { productPicture } from '../picture';
import { describeError } from '../errors';
import { field } from '../form';
import { formatCents } from '../money';

export async function renderProduct(ctx: PageContext, id: number, current: StillCurrent): Promise<void> {
  showLoading(ctx, 'Loading product…');
  const product = await ctx.api.product(id);
  if (!current()) return;
  const stock = h('p', { class: 'stock', testid: 'product-stock' }, 'Checking stock…');
  const quantity = field('Quantity', {
    type: 'number',
    id: 'quantity',
    name: 'quantity',
    min: 1,
    max: MAX_QUANTITY,
    value: 1,
    required: true,
    testid: 'quantity-input',
  });
  const add = h(
    'button',
    { type: 'submit', testid: 'add-to-cart' },
    ctx.session.token ? 'Add to cart' : 'Log in to buy',
  );
  const message = h('p', { role: 'status', testid: 'add-to-cart-result' });
  const form = h('form', { class: 'buy' }, quantity.nodes, add);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void addToCart(ctx, product, quantity.control.valueAsNumber, add, message);
  });
  replace(
    ctx.view,
    h('p', {}, h('a', { href: '#/' }, '← All products')),
    h(
      'article',
      { class: 'product', testid: 'product-detail', 'data-sku': product.sku },
      productPicture(product.imagePath, product.name, {
        sizes: '(max-width: 640px) 100vw, 480px',
        width: 640,
        eager: true,
      }),
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
    const level = await ctx.api.stock(product.sku);
    if (!current()) return;
    stock.dataset.available = String(level.available);
    stock.textContent = level.available > 0 ? `In stock: ${level.available} available` : 'Out of stock';
    stock.classList.toggle('out', level.available <= 0);
    quantity.control.max = String(Math.max(1, Math.min(MAX_QUANTITY, level.available)));
    // Nothing to hold: buying would only end in a 409 at checkout.
    add.disabled = level.available <= 0;
  } catch (error) {
    if (current()) stock.textContent = `Stock unknown: ${describeError(error)}`;
  }
}

async function addToCart(
  ctx: PageContext,
  product: Product,
  quantity: number,
  button: HTMLButtonElement,
  message: HTMLElement,
): Promise<void> {
  const here = `#/product/${product.id}`;
  if (!requireLogin(ctx, here)) return;
  const problem = quantityProblem(quantity);
  if (problem) {
    message.className = 'error';
    message.textContent = problem;
    return;
  }
  button.disabled = true;
  try {
    const cart = await ctx.api.addToCart(product.sku, quantity);
    ctx.setCartCount(countItems(cart.items));
    message.className = 'ok';
    replace(
      message,
      document.createTextNode(`Added ${quantity} × ${product.name} to your cart. `),
      h('a', { href: '#/cart', testid: 'go-to-cart' }, 'View cart'),
    );
  } catch (error) {
    if (handleAuthError(ctx, error, here)) return;
    message.className = 'error';
    message.textContent = describeError(error);
  } finally {
    button.disabled = false;
  }
}
