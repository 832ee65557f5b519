import { product } from '@sdp/contracts';
import { z } from 'zod';
import {
  parseAnswer,
  ServiceClient,
  UpstreamRejectedError,
  UpstreamUnavailableError,
} from './service-client';

/** The part of the catalog's product page (`productPage`) a price lookup reads; the rest may change freely. */
const priceList = z.object({ items: z.array(product.pick({ sku: true, priceCents: true })) });

/** Current prices from the catalog (`GET /products?skus=...`): the price of an order is decided at checkout. */
export class CatalogClient {
  constructor(private readonly http: ServiceClient) {}

  /** Price in cents by SKU; SKUs the catalog does not know are absent from the map. */
  async prices(skus: string[], requestId: string): Promise<Map<string, number>> {
    const query = new URLSearchParams({ skus: skus.join(','), limit: String(Math.max(skus.length, 1)) });
    const { status, body } = await this.http.request('GET', `/products?${query.toString()}`, {
      headers: { 'x-request-id': requestId },
    });
    if (status >= 500) throw new UpstreamUnavailableError('catalog', `catalog answered ${status}`);
    if (status !== 200) {
      throw new UpstreamRejectedError('catalog', status, `catalog refused the price lookup (${status})`);
    }
    const { items } = parseAnswer('catalog', priceList, { status, body });
    return new Map(items.map((p) => [p.sku, p.priceCents]));
  }
}
