import { demoMasters, demoProductPictures } from '@sdp/media';
import { generateSeedProducts, seedCategories } from './seed-data';

describe(generateSeedProducts.name, () => {
  const products = generateSeedProducts();

  it('makes at least 1,000 products with unique SKUs in every category', () => {
    expect(products.length).toBeGreaterThanOrEqual(1_000);
    expect(new Set(products.map((p) => p.sku)).size).toBe(products.length);
    expect(new Set(products.map((p) => p.categorySlug))).toEqual(new Set(seedCategories.map((c) => c.slug)));
  });

  it('prices every product in positive integer cents within its category range', () => {
    for (const product of products) {
      const [min, max] = seedCategories.find((c) => c.slug === product.categorySlug)!.price;
      expect(Number.isInteger(product.priceCents)).toBe(true);
      expect(product.priceCents).toBeGreaterThan(0);
      expect(product.priceCents).toBeLessThanOrEqual(max * 100 + 99);
      expect(product.priceCents).toBeGreaterThanOrEqual(Math.min(min * 100, 99));
    }
  });

  it('is deterministic for a seed and different for another', () => {
    expect(generateSeedProducts(50, 42)).toEqual(generateSeedProducts(50, 42));
    expect(generateSeedProducts(50, 7).map((p) => p.name)).not.toEqual(
      generateSeedProducts(50, 42).map((p) => p.name),
    );
  });

  it('fits the database constraints (SKU format, name length, image path)', () => {
    for (const product of products) {
      expect(product.sku).toMatch(/^[A-Z0-9-]{3,32}$/);
      expect(product.name.length).toBeLessThanOrEqual(200);
      expect(product.imagePath).toMatch(/^\/media\/products\/[a-z]+\/[a-z-]+\.[0-9a-f]{10}\.webp$/);
    }
  });

  it('points every product at a picture the media origin holds (its nouns and the media library agree)', () => {
    const held = new Set(demoMasters().map((m) => m.path));
    for (const product of products) expect(held.has(product.imagePath)).toBe(true);
    for (const category of seedCategories) expect(category.nouns).toEqual(demoProductPictures[category.slug]);
  });
});
