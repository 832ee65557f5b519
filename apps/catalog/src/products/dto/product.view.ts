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
}

export interface ProductPage {
  items: ProductView[];
  page: number;
  limit: number;
  total: number;
}
