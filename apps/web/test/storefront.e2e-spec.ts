import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import {
  FAKE_DEMO_EMAIL,
  FAKE_DEMO_PASSWORD,
  startFakeStorefrontApi,
  type FakeStorefrontApi,
} from './fake-storefront-api';
import { openHeadlessPage, type HeadlessPage } from './headless-chromium';

// The storefront in a real headless Chromium (Debian's, see headless-chromium.ts).
// With STOREFRONT_URL set (the real-stack run: the edge, e.g. http://127.0.0.1:8080/) it drives the
// whole platform. Without it, a clearly separate stand-in (fake-storefront-api.ts) serves
// apps/web/dist and fakes the API, so the page's own behaviour is tested on any machine.
const DIST = path.join(__dirname, '../dist');
const SCREENSHOT = path.join(__dirname, '../test-results/storefront.png');
const PRODUCTS_SCREENSHOT = path.join(__dirname, '../test-results/storefront-products.png');
const STEP_MS = 15_000;

const realStack = process.env.STOREFRONT_URL;
const email = process.env.STOREFRONT_DEMO_EMAIL ?? FAKE_DEMO_EMAIL;
const password = realStack ? process.env.STOREFRONT_DEMO_PASSWORD : FAKE_DEMO_PASSWORD;
const search = process.env.STOREFRONT_SEARCH ?? 'lamp';

describe('storefront in headless Chromium', () => {
  let fake: FakeStorefrontApi | undefined;
  let browser: HeadlessPage | undefined;
  let page: Page;
  let baseUrl: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (realStack) {
      if (!password)
        throw new Error('STOREFRONT_URL is set: set STOREFRONT_DEMO_PASSWORD to the stack demo password');
      baseUrl = realStack;
    } else {
      if (!existsSync(path.join(DIST, 'index.html'))) {
        throw new Error(
          `${DIST}/index.html is missing: run \`pnpm build\` (or pnpm --filter @sdp/web build) first`,
        );
      }
      fake = await startFakeStorefrontApi(DIST);
      baseUrl = fake.url;
    }
    browser = await openHeadlessPage({
      name: 'storefront',
      viewport: { width: 1100, height: 760 },
      stepMs: STEP_MS,
      pageErrors,
    });
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    await fake?.close();
  });

  it('browses, logs in, checks out and watches the order become CONFIRMED live', async () => {
    // Browse and search.
    await page.goto(baseUrl);
    await page.getByTestId('product-card').first().waitFor();
    if (realStack) {
      // Product pictures come through the edge's /media/ (the CDN): decoded, WebP, lazy.
      await page.waitForFunction(() => {
        const img = document.querySelector<HTMLImageElement>('[data-testid="product-image"]');
        return img !== null && img.complete && img.naturalWidth > 0;
      });
      const first = await page
        .getByTestId('product-image')
        .first()
        .evaluate((img: HTMLImageElement) => ({
          src: img.currentSrc,
          loading: img.loading,
          width: img.naturalWidth,
        }));
      expect(first.src).toMatch(/\/media\/products\/[a-z-]+\/[a-z-]+\.[0-9a-f]{10}\.webp\?w=(160|320|640)$/);
      expect(first.loading).toBe('lazy');
      expect(first.width).toBeGreaterThanOrEqual(160);
      // Every picture in view has arrived (the ones below the fold load when scrolled to).
      await page.waitForFunction(() =>
        [...document.querySelectorAll<HTMLImageElement>('[data-testid="product-image"]')]
          .filter((img) => img.getBoundingClientRect().top < window.innerHeight)
          .every((img) => img.complete && img.naturalWidth > 0),
      );
      mkdirSync(path.dirname(PRODUCTS_SCREENSHOT), { recursive: true });
      await page.screenshot({ path: PRODUCTS_SCREENSHOT });
    } else {
      // The stand-in's products have no picture: the page draws no image for them (no broken icon).
      expect(await page.getByTestId('product-image').count()).toBe(0);
    }
    await page.getByTestId('search-input').fill(search);
    await page.getByTestId('search-button').click();
    await page.waitForURL((url) => url.hash.includes(`q=${encodeURIComponent(search)}`));
    const firstResult = page.getByTestId('product-card').first();
    await firstResult.filter({ hasText: new RegExp(search, 'i') }).waitFor();

    // Product detail: name, price in dollars, stock from inventory.
    const productName = (await firstResult.getByRole('heading').innerText()).trim();
    await firstResult.getByTestId('product-link').click();
    await expect(page.getByTestId('product-name').innerText()).resolves.toBe(productName);
    expect(await page.getByTestId('product-price').innerText()).toMatch(/^\$\d[\d,]*\.\d\d$/);
    await page
      .getByTestId('product-stock')
      .filter({ hasText: /In stock: \d+ available/ })
      .waitFor();

    // Buying needs an account: the button leads to the login page, which suggests the demo email.
    await page.getByTestId('add-to-cart').click();
    await page.getByTestId('login-form').waitFor();
    expect(await page.getByTestId('demo-hint').innerText()).toContain('alice@example.com');
    if (email === 'alice@example.com') await page.getByTestId('use-demo-email').click();
    else await page.getByTestId('login-email').fill(email);
    await expect(page.getByTestId('login-email').inputValue()).resolves.toBe(email);
    await page.getByTestId('login-password').fill(password!);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('user-email').filter({ hasText: email }).waitFor();

    // Back on the product: add two to the cart.
    await page.getByTestId('product-name').filter({ hasText: productName }).waitFor();
    await page.getByTestId('quantity-input').fill('2');
    await page.getByTestId('add-to-cart').click();
    await page.getByTestId('add-to-cart-result').filter({ hasText: 'Added 2' }).waitFor();
    await page.getByTestId('go-to-cart').click();
    const line = page.getByTestId('cart-line').filter({ hasText: productName });
    await line.waitFor();
    await expect(line.getByTestId('cart-qty').inputValue()).resolves.toBe('2');
    expect(await page.getByTestId('cart-subtotal').innerText()).toMatch(/^\$\d[\d,]*\.\d\d$/);

    // Checkout: 202 PENDING_PAYMENT at once, then the outcome pushed over SSE.
    await page.getByTestId('checkout-button').click();
    const status = page.getByTestId('order-status');
    await status.filter({ hasText: 'PENDING_PAYMENT' }).waitFor();
    const orderId = (await page.getByTestId('order-id').innerText()).trim();
    expect(orderId).toMatch(/^[0-9a-f-]{36}$/);
    await status.filter({ hasText: 'CONFIRMED' }).waitFor({ timeout: 60_000 });
    const source = await status.getAttribute('data-source');
    if (fake) {
      // The stand-in confirms only after the stream is open, so the push must be what updated the page.
      expect(source).toBe('sse');
      expect(fake.streamsOpened()).toBeGreaterThan(0);
      const checkouts = fake.log.filter((entry) => entry.startsWith('POST /checkout key='));
      expect(checkouts).toHaveLength(1);
    } else {
      expect(['sse', 'poll']).toContain(source);
      console.log(`storefront e2e: order ${orderId} confirmed via ${source}`);
    }
    await page.getByTestId('order-total').waitFor();

    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(0);

    // The order is in "My orders" with its final status.
    await page.getByTestId('nav-orders').click();
    const row = page.locator(`[data-testid="order-row"][data-order-id="${orderId}"]`);
    await row.filter({ hasText: 'CONFIRMED' }).waitFor();

    expect(pageErrors).toEqual([]);
  });
});
