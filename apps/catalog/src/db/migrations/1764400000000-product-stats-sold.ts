import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Units sold per product (popularity), accumulated in Redis from order.confirmed and flushed in batches. */
export class ProductStatsSold1764400000000 implements MigrationInterface {
  name = 'ProductStatsSold1764400000000';

  async up(runner: QueryRunner): Promise<void> {
    const schema = runner.connection.driver.schema ?? 'catalog';
    await runner.query(
      `ALTER TABLE "${schema}".product_stats ADD COLUMN sold bigint NOT NULL DEFAULT 0 CHECK (sold >= 0)`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    const schema = runner.connection.driver.schema ?? 'catalog';
    await runner.query(`ALTER TABLE "${schema}".product_stats DROP COLUMN sold`);
  }
}
