import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { cdn, proxies, redisNodes, services } from '@sdp/topology';
import type { Page } from 'playwright-core';
import { startStackWithCdn } from '../../../e2e/test/support/cdn-lab';
import { TEST_DEMO_PASSWORD } from '../../../e2e/test/support/stack';
import { openHeadlessPage, type HeadlessPage } from './headless-chromium';

// The live architecture page in a real headless Chromium against a private full stack (edge,
// gateways, lb, every service, control with a runner channel, the CDN's regional edges, shield and
// media origin): it draws every component of the topology, a flash sale started from the page ends
// with its invariant held, a replica killed from the page turns red and comes back, and the CDN
// scenario prints its per-region table. With STOREFRONT_URL set (pnpm test:storefront) it uses
// that stack instead of starting one. Screenshots go to apps/web/test-results/.
const RESULTS = path.join(__dirname, '../test-results');
const STEP_MS = 20_000;

describe('architecture page in headless Chromium', () => {
  let stopStack: (() => Promise<void>) | undefined;
  let edgeUrls: string[] = [];
  let baseUrl: string;
  let password: string;
  let browser: HeadlessPage | undefined;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (process.env.STOREFRONT_URL) {
      baseUrl = process.env.STOREFRONT_URL.replace(/\/$/, '');
      password = process.env.STOREFRONT_DEMO_PASSWORD ?? TEST_DEMO_PASSWORD;
      edgeUrls = process.env.STOREFRONT_EDGE_URLS?.split(',') ?? [];
    } else {
      // The mutable alias lives 3 s, so the CDN scenario's origin-down phase waits 4 s, not a minute.
      const started = await startStackWithCdn(
        // Every anonymous read of the browser and the scenarios comes from 127.0.0.1: one rate-limit
        // key. The page tests are not about the limiter (edge.e2e-spec.ts is): lift it.
        {
          gateway: { AUTH_RATE_LIMIT_PER_MINUTE: '10000', RATE_LIMIT_PER_MINUTE: '100000' },
          payments: { PSP_FAILURE_RATE: '0' },
        },
        { aliasMaxAgeSeconds: 3 },
      );
      stopStack = started.stop;
      edgeUrls = started.lab.edgeUrls;
      baseUrl = edgeUrls[0];
      password = TEST_DEMO_PASSWORD;
    }
    browser = await openHeadlessPage({
      name: 'architecture',
      viewport: { width: 1600, height: 1300 },
      stepMs: STEP_MS,
      pageErrors,
    });
    page = browser.page;
    mkdirSync(RESULTS, { recursive: true });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await stopStack?.();
  });

  const node = (id: string) => page.locator(`[data-testid="node"][data-node-id="${id}"]`);
  const replica = (id: string) => page.locator(`[data-testid="replica"][data-replica-id="${id}"]`);
  const shoot = async (name: string) => {
    const file = path.join(RESULTS, name);
    await page.screenshot({ path: file, fullPage: true });
    expect(statSync(file).size).toBeGreaterThan(10_000);
    console.log(`architecture e2e: screenshot ${file}`);
  };
  /** Clicks a scenario's button on the page and waits until the run shows as running. */
  const runFromPage = async (button: string) => {
    await page.getByTestId(button).click();
    await page.getByTestId('run-status').and(page.locator('[data-status="running"]')).waitFor();
  };
  /** The run the page shows, once it has ended (held, broken or failed): status, invariant and log. */
  const ended = async (timeout: number) => {
    const status = page.getByTestId('run-status');
    await status
      .and(page.locator('[data-status="held"], [data-status="broken"], [data-status="failed"]'))
      .waitFor({ timeout });
    return {
      status: await status.getAttribute('data-status'),
      invariant: await page.getByTestId('run-invariant').innerText(),
      log: await page.getByTestId('run-log').innerText(),
    };
  };

  it('refuses the control API to customers and to anonymous callers', async () => {
    const login = await fetch(`${baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'alice@example.com', password }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const asCustomer = await fetch(`${baseUrl}/api/admin/control/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ scenario: 'flash-sale' }),
    });
    expect(asCustomer.status).toBe(403);
    expect((await fetch(`${baseUrl}/api/admin/control/snapshot`)).status).toBe(401);
  });

  it('draws every component of the topology, live, from the header link', async () => {
    await page.goto(`${baseUrl}/#/login?next=${encodeURIComponent('#/architecture')}`);
    await page.getByTestId('login-email').fill('admin@example.com');
    await page.getByTestId('login-password').fill(password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('user-email').filter({ hasText: 'admin@example.com' }).waitFor();
    await page.getByTestId('nav-architecture').click();
    await page.getByTestId('diagram').waitFor({ timeout: 60_000 });

    const expected = [
      ...Object.values(proxies).map((p) => p.name),
      ...services.map((s) => s.name),
      ...redisNodes.map((n) => n.name),
      'kafka',
      'postgres',
      // The CDN of the topology: every region's edge, the shield, the media origin.
      ...cdn.regions.map((r) => r.edge),
      cdn.shield.name,
      cdn.mediaOrigin.name,
    ];
    for (const id of expected) await node(id).waitFor({ state: 'attached' });
    // Every replica of every service has its own row, and all of them come up.
    for (const spec of services)
      for (let i = 1; i <= spec.replicas; i++)
        await replica(`${spec.name}-${i}`)
          .and(page.locator('[data-status="up"]'))
          .waitFor({ timeout: 60_000 });
    for (const id of expected)
      await node(id).and(page.locator('[data-status="up"]')).waitFor({ timeout: 60_000 });
    const drawn = await page
      .locator('[data-testid="node"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-node-id')));
    console.log(`architecture e2e: ${drawn.length} boxes drawn: ${drawn.join(', ')}`);
    expect(drawn).toEqual(expect.arrayContaining(expected));

    // A box opens its study-guide page and its code.
    await node('inventory').click();
    await expect(page.getByTestId('details-doc').innerText()).resolves.toBe('docs/distributed-locks.md');
    await expect(page.getByTestId('details-code').innerText()).resolves.toContain('apps/inventory/');
    // The runner channel is there: every scenario, the infra faults too, can run.
    for (const name of ['lock-nodes-down', 'kafka-down', 'cache-down'])
      await expect(
        page.locator(`[data-testid="scenario"][data-scenario="${name}"]`).getAttribute('data-enabled'),
      ).resolves.toBe('true');
    await shoot('architecture-at-rest.png');
  }, 240_000);

  it('runs a flash sale from the page and shows its invariant held', async () => {
    await page.getByTestId('flash-buyers').fill('30');
    await page.getByTestId('flash-units').fill('8');
    await runFromPage('run-flash-sale');
    const run = await ended(150_000);
    console.log(`architecture e2e: flash sale: ${run.invariant}`);
    expect(run.status).toBe('held');
    expect(run.invariant).toMatch(
      /accepted 8 = min\(buyers 30, units 8\) = 8, settled 8\/8 \(confirmed 8, cancelled 0\), oversold 0/,
    );
    await page.locator('[data-testid="run-row"][data-status="held"]').first().waitFor();
  }, 200_000);

  it('runs the 30 % payment failure scenario: every declined order cancelled and its unit back on the shelf', async () => {
    await runFromPage('run-payment-failures');
    const run = await ended(150_000);
    console.log(`architecture e2e: payment failures: ${run.invariant}`);
    expect(run.status).toBe('held');
    const [, confirmed, cancelled] = /confirmed (\d+), cancelled (\d+)/.exec(run.invariant)!.map(Number);
    expect(confirmed + cancelled).toBe(20);
    expect(run.invariant).toContain(
      `sold ${confirmed} = confirmed ${confirmed}, released ${cancelled} = cancelled ${cancelled}`,
    );
  }, 200_000);

  it('switches the cache write strategy: the next read is fresh under each, MISS after write-around, HIT after the others', async () => {
    await runFromPage('run-write-strategy');
    const run = await ended(60_000);
    console.log(`architecture e2e: write strategies: ${run.invariant}`);
    expect(run.status).toBe('held');
    expect(run.invariant).toBe(
      'write-around: new value, MISS; write-through: new value, HIT; write-back: new value, HIT (3/3 as promised)',
    );
  }, 90_000);

  it('shows each region’s edge HIT/MISS/STALE ratio, media hit ratio and bytes saved on its box', async () => {
    // Cacheable reads through every region's edge (the edges log each response to the collector):
    // a product page read three times, a MISS and then HITs.
    const urls = edgeUrls.length ? edgeUrls : [baseUrl];
    const listed = await fetch(`${baseUrl}/api/products?page=1&limit=3`);
    const listing = (await listed.json()) as { items?: { id: number }[] };
    expect([listed.status, listing.items?.length ? 'items' : listing]).toEqual([200, 'items']);
    const product = `/api/products/${listing.items![0].id}`;
    for (const url of urls)
      for (let i = 0; i < 3; i++) {
        const response = await fetch(`${url}${product}`);
        await response.arrayBuffer();
        if (i > 0) expect([url, response.headers.get('x-cache-status')]).toEqual([url, 'HIT']);
      }
    for (const region of cdn.regions.slice(0, urls.length)) {
      const box = node(region.edge);
      // Counted: some HITs among the lookups (the box refreshes about once a second).
      await box
        .locator('text.figure', { hasText: /api HIT\/MISS\/STALE: [1-9]\d*\/\d+\/\d+ %/ })
        .waitFor({ timeout: 30_000 });
      // SVG text has no innerText; its last child is the line the box shows (the first, the source).
      const lines = await box
        .locator('text.figure')
        .evaluateAll((els) => els.map((e) => e.lastChild?.textContent ?? ''));
      console.log(`architecture e2e: ${region.edge} box: ${lines.join(' | ')}`);
      expect(lines.join('\n')).toMatch(/media hit ratio: /);
      expect(lines.join('\n')).toMatch(/bytes saved: /);
    }
  }, 60_000);

  it('runs the CDN regions scenario: miss vs hit per region, one origin request per picture, copies while the origin is down', async () => {
    await runFromPage('run-cdn-regions');
    await node(cdn.mediaOrigin.name).and(page.locator('[data-status="down"]')).waitFor({ timeout: 90_000 });
    await shoot('architecture-cdn-origin-down.png');
    const run = await ended(150_000);
    console.log(`architecture e2e: cdn regions: ${run.invariant}\n${run.log}`);
    expect(run.status).toBe('held');
    expect(run.invariant).toMatch(/second reads HIT (\d+)\/\1; origin requests (\d+) for \2 pictures/);
    expect(run.invariant).toContain('origin down: 3/3 regions answered from copies');
    expect(run.invariant).toContain('healed 3/3');
    await node(cdn.mediaOrigin.name).and(page.locator('[data-status="up"]')).waitFor({ timeout: 60_000 });
  }, 240_000);

  it('kills a catalog replica from the page: its row turns red, GETs keep answering, it comes back', async () => {
    await page.getByTestId('kill-service').selectOption('catalog');
    await page.getByTestId('run-kill-replica').click();
    await replica('catalog-2').and(page.locator('[data-status="down"]')).waitFor({ timeout: 60_000 });
    await node('catalog').and(page.locator('[data-status="degraded"]')).waitFor();
    await shoot('architecture-mid-scenario.png');
    await replica('catalog-2').and(page.locator('[data-status="up"]')).waitFor({ timeout: 90_000 });
    const run = await ended(90_000);
    console.log(`architecture e2e: kill replica: ${run.invariant}`);
    expect(run.status).toBe('held');
    expect(run.invariant).toMatch(/GETs \d+, failed 0; catalog-2 red after \d+ ms, back after \d+ ms/);
  }, 240_000);

  it('takes the origin down behind the edge: catalog red, cached products served STALE, then back', async () => {
    await page.getByTestId('run-origin-down').click();
    await node('catalog').and(page.locator('[data-status="down"]')).waitFor({ timeout: 60_000 });
    const run = await ended(200_000);
    console.log(`architecture e2e: origin down: ${run.invariant}`);
    expect(run.status).toBe('held');
    expect(run.invariant).toMatch(/reads \d+, failed 0; products served STALE 3\/3 while catalog was down/);
    await node('catalog').and(page.locator('[data-status="up"]')).waitFor({ timeout: 60_000 });
    expect(pageErrors).toEqual([]);
  }, 300_000);

  /** Like ended(), once the panel shows a run of `scenario` (it may have been started from the API). */
  const finished = async (scenario: string, timeout: number) => {
    await page
      .getByTestId('run-panel')
      .filter({ hasText: `Run: ${scenario}` })
      .waitFor({ timeout });
    return ended(timeout);
  };

  it('stops one lock node, then two, from the page: works with one down, 503 and nothing written with two, works again', async () => {
    await page.getByTestId('run-lock-nodes-down').click();
    await node('redis-lock-3').and(page.locator('[data-status="down"]')).waitFor({ timeout: 60_000 });
    const run = await finished('lock-nodes-down', 240_000);
    console.log(`architecture e2e: lock nodes: ${run.invariant}\n${run.log}`);
    expect(run.status).toBe('held');
    expect(run.invariant).toMatch(
      /one node down: accepted 4\/4; two down: 503 4\/4, orders written 0, units held 0; nodes back: accepted 4\/4; settled (\d+)\/\1/,
    );
    for (const n of redisNodes)
      await node(n.name).and(page.locator('[data-status="up"]')).waitFor({ timeout: 30_000 });
  }, 300_000);

  it('stops Kafka during checkouts (started from the API, 10 s): accepted, the outbox backlog grows then drains, lost 0', async () => {
    const login = await fetch(`${baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@example.com', password }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const start = (body: unknown) =>
      fetch(`${baseUrl}/api/admin/control/runs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const tooShort = await start({ scenario: 'kafka-down', seconds: 1 });
    expect(tooShort.status).toBe(400);
    expect(((await tooShort.json()) as { message: string }).message).toMatch(/seconds must be from 5 to 120/);
    expect((await start({ scenario: 'kafka-down', seconds: 10 })).status).toBe(202);
    await node('kafka').and(page.locator('[data-status="down"]')).waitFor({ timeout: 60_000 });
    const run = await finished('kafka-down', 300_000);
    console.log(`architecture e2e: kafka down: ${run.invariant}\n${run.log}`);
    expect(run.status).toBe('held');
    expect(run.invariant).toMatch(
      /Kafka down 10 s: accepted \d+, refused 0; outbox backlog peak [1-9]\d*, drained after \d+ ms; settled (\d+)\/\1 .*lost 0/,
    );
    await node('kafka').and(page.locator('[data-status="up"]')).waitFor({ timeout: 30_000 });
  }, 360_000);

  it('stops the Redis cache from the page: product reads answer from Postgres, 0 5xx, then it is back', async () => {
    await page.getByTestId('run-cache-down').click();
    await node('redis-cache').and(page.locator('[data-status="down"]')).waitFor({ timeout: 60_000 });
    const run = await finished('cache-down', 120_000);
    console.log(`architecture e2e: cache down: ${run.invariant}\n${run.log}`);
    expect(run.status).toBe('held');
    expect(run.invariant).toMatch(
      /reads \d+, 5xx 0, other failures 0; while the cache was down (\d+)\/\1 served from Postgres \(BYPASS\)/,
    );
    await node('redis-cache').and(page.locator('[data-status="up"]')).waitFor({ timeout: 30_000 });
    expect(pageErrors).toEqual([]);
  }, 180_000);
});
