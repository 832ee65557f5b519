import type { ProductView } from '../../products/dto/product.view';
import type { TopWindow } from './top-products.query';

export interface TopProductsView {
  window: TopWindow;
  items: { rank: number; sku: string; sold: number; product: ProductView | null }[];
}
