import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CatalogClient } from './catalog.client';
import { InventoryClient } from './inventory.client';
import { ServiceClient, UpstreamMalformedError, UpstreamRejectedError } from './service-client';

// Real local HTTP servers (no fetch mocks) answering what a test tells them to.
let answer: { status: number; body: unknown } = { status: 200, body: {} };
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume().on('end', () => {
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());

const product = (sku: string, priceCents: unknown) => ({
  id: 1,
  sku,
  name: 'Lamp',
  description: '',
  priceCents,
  category: { slug: 'home', name: 'Home' },
  imagePath: '/img/lamp.webp',
  updatedAt: '2026-01-01T00:00:00.000Z',
});
const orderId = '3f1c2b4e-5d6a-4b7c-8d9e-0f1a2b3c4d5e';
const reservation = {
  orderId,
  status: 'HELD',
  expiresAt: '2026-01-01T00:05:00.000Z',
  items: [{ sku: 'SKU-000001', quantity: 2 }],
};

describe(CatalogClient.name, () => {
  const catalog = () => new CatalogClient(new ServiceClient('catalog', url, 1_000));

  it('reads prices from a product page, ignoring the fields it does not need', async () => {
    answer = {
      status: 200,
      body: { items: [product('SKU-000001', 4599)], page: 1, limit: 1, total: 1, extra: 1 },
    };
    expect(await catalog().prices(['SKU-000001'], 'r1')).toEqual(new Map([['SKU-000001', 4599]]));
  });

  it('refuses a page that does not fit the contract, as a rejected (502) upstream answer naming the field', async () => {
    answer = { status: 200, body: { items: [product('SKU-000001', '45.99')] } };
    const lookup = catalog().prices(['SKU-000001'], 'r1');
    await expect(lookup).rejects.toBeInstanceOf(UpstreamMalformedError);
    await expect(lookup).rejects.toBeInstanceOf(UpstreamRejectedError);
    await expect(lookup).rejects.toThrow(
      /catalog answered 200 with a malformed body \(items\.0\.priceCents: /,
    );

    answer = { status: 200, body: 'not json' };
    await expect(catalog().prices(['SKU-000001'], 'r1')).rejects.toThrow(
      /malformed body \(body: expected object, received string\)/,
    );
  });
});

describe(InventoryClient.name, () => {
  const inventory = () => new InventoryClient(new ServiceClient('inventory', url, 1_000), 'secret');
  const request = { orderId, items: [{ sku: 'SKU-000001', quantity: 2 }] };

  it('returns the hold inventory answered', async () => {
    answer = { status: 201, body: reservation };
    expect(await inventory().reserve(request, 'r1')).toEqual({ kind: 'held', reservation });
  });

  it('refuses a hold that does not fit the contract, as a rejected (502) upstream answer', async () => {
    answer = { status: 201, body: { ...reservation, status: 'ON_HOLD' } };
    const reserve = inventory().reserve(request, 'r1');
    await expect(reserve).rejects.toBeInstanceOf(UpstreamMalformedError);
    await expect(reserve).rejects.toThrow(/inventory answered 201 with a malformed body \(status: /);
  });

  it('reads an out-of-stock answer leniently: without the SKU it is still out of stock', async () => {
    answer = {
      status: 409,
      body: {
        statusCode: 409,
        error: 'Conflict',
        message: 'short',
        sku: 'SKU-000001',
        available: 1,
        requestId: 'r1',
      },
    };
    expect(await inventory().reserve(request, 'r1')).toEqual({
      kind: 'out_of_stock',
      sku: 'SKU-000001',
      available: 1,
      message: 'short',
    });
    answer = { status: 409, body: { message: 'short' } };
    expect(await inventory().reserve(request, 'r1')).toMatchObject({ sku: 'unknown', available: 0 });
  });
});
