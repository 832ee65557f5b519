import type { DataSource } from 'typeorm';
import { generateSeedProducts, seedCategories } from './seed-data';

/**
 * Inserts the demo catalogue if it is not there yet. Safe to run from every replica at once:
 * rows are keyed by slug and SKU and conflicts are skipped, except a seeded product's picture: a
 * database seeded before the pictures had content-hashed names (or before a picture changed) gets
 * the current name, so every imagePath resolves at the media origin.
 */
export async function seedCatalog(dataSource: DataSource, schema: string): Promise<number> {
  return dataSource.transaction(async (manager) => {
    await manager.query(
      `INSERT INTO "${schema}".categories (slug, name)
       SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (slug) DO NOTHING`,
      [seedCategories.map((c) => c.slug), seedCategories.map((c) => c.name)],
    );
    const products = generateSeedProducts();
    const written: { inserted: boolean }[] = await manager.query(
      `INSERT INTO "${schema}".products (sku, name, description, price_cents, category_id, image_path)
       SELECT p.sku, p.name, p.description, p.price_cents, c.id, p.image_path
       FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[])
         AS p(sku, name, description, price_cents, category_slug, image_path)
       JOIN "${schema}".categories c ON c.slug = p.category_slug
       ON CONFLICT (sku) DO UPDATE SET image_path = EXCLUDED.image_path
         WHERE products.image_path IS DISTINCT FROM EXCLUDED.image_path
       RETURNING (xmax = 0) AS inserted`,
      [
        products.map((p) => p.sku),
        products.map((p) => p.name),
        products.map((p) => p.description),
        products.map((p) => p.priceCents),
        products.map((p) => p.categorySlug),
        products.map((p) => p.imagePath),
      ],
    );
    return written.filter((row) => row.inserted).length;
  });
}
