/** What the API returns for a product (and what the cache stores). */
export interface ProductView {
  id: number;
  sku: string;
  name: string;
  description: string;
  priceCents: number;
  category: { slug: string; name: string };
  imagePath: string;
  updatedAt: string;
  /** Units available, from inventory's stock.changed (absent until inventory reported the SKU). */
  available?: number;
}

export interface ProductPage {
  items: ProductView[];
  page: number;
  limit: number;
  total: number;
}
