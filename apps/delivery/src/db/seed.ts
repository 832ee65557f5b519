import type { DataSource } from 'typeorm';

const NAMES = ['Ada', 'Bo', 'Chen', 'Dara', 'Eli', 'Femi', 'Gus', 'Hana', 'Ivo', 'Jun'];

/** courier-01, courier-02, ... (two digits at least, so they sort as they count). */
export const courierIdOf = (index: number): string => `courier-${String(index).padStart(2, '0')}`;

export const courierNameOf = (index: number): string =>
  `${NAMES[(index - 1) % NAMES.length]} ${String.fromCharCode(65 + (Math.floor((index - 1) / NAMES.length) % 26))}.`;

/** Inserts the couriers that are missing (1..count); safe from every replica at once. */
export async function seedCouriers(dataSource: DataSource, schema: string, count: number): Promise<number> {
  const indexes = Array.from({ length: count }, (_, i) => i + 1);
  const inserted: unknown[] = await dataSource.query(
    `INSERT INTO "${schema}".couriers (id, name)
     SELECT * FROM unnest($1::text[], $2::text[])
     ON CONFLICT (id) DO NOTHING RETURNING id`,
    [indexes.map(courierIdOf), indexes.map(courierNameOf)],
  );
  return inserted.length;
}
