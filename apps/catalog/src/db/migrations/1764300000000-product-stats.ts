import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Per-product counters accumulated in Redis (write-back) and summed in here by the flusher. */
export class ProductStats1764300000000 implements MigrationInterface {
  name = 'ProductStats1764300000000';

  async up(runner: QueryRunner): Promise<void> {
    const schema = runner.connection.driver.schema ?? 'catalog';
    await runner.query(`
      CREATE TABLE "${schema}".product_stats (
        product_id integer PRIMARY KEY REFERENCES "${schema}".products(id) ON DELETE CASCADE,
        views bigint NOT NULL DEFAULT 0 CHECK (views >= 0),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const schema = runner.connection.driver.schema ?? 'catalog';
    await runner.query(`DROP TABLE "${schema}".product_stats`);
  }
}
