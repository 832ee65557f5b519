import type { DataSource } from 'typeorm';

/** The catalog seeds SKU-000001..SKU-001200; inventory holds stock for the same SKUs. */
export const SEED_SKU_COUNT = 1_200;

export const seedSku = (index: number): string => `SKU-${String(index).padStart(6, '0')}`;

/** A deterministic on-hand between 50 and 500, so every machine starts with the same stock. */
export const seedOnHand = (index: number): number => 50 + ((index * 7_919) % 451);

/** Inserts the demo stock rows that are missing; safe from every replica at once. */
export async function seedStock(dataSource: DataSource, schema: string): Promise<number> {
  const indexes = Array.from({ length: SEED_SKU_COUNT }, (_, i) => i + 1);
  const inserted: unknown[] = await dataSource.query(
    `INSERT INTO "${schema}".stock (sku, on_hand)
     SELECT * FROM unnest($1::text[], $2::int[])
     ON CONFLICT (sku) DO NOTHING RETURNING sku`,
    [indexes.map(seedSku), indexes.map(seedOnHand)],
  );
  return inserted.length;
}
