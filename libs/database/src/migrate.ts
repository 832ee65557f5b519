import type { DataSource } from 'typeorm';

/**
 * Creates the service's schema if needed and runs pending migrations. Replicas start together, so
 * a transaction-scoped advisory lock keyed by the schema lets exactly one of them migrate while the
 * others wait, then find nothing left to do.
 */
export async function migrateSchema(dataSource: DataSource, schema: string): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [`migrations:${schema}`]);
    try {
      await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [`migrations:${schema}`]);
    }
  } finally {
    await runner.release();
  }
}
