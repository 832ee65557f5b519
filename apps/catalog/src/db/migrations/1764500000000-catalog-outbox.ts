import { outboxTablesSql } from '@sdp/outbox';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * product.updated goes through the transactional outbox (written with the product change, published
 * by the relay), like every other service's events. The catalog had neither table before, so it gets
 * both: outbox, and the inbox (processed_messages) that outboxTablesSql always pairs with it.
 */
export class CatalogOutbox1764500000000 implements MigrationInterface {
  name = 'CatalogOutbox1764500000000';

  async up(runner: QueryRunner): Promise<void> {
    const schema = runner.connection.driver.schema ?? 'catalog';
    for (const sql of outboxTablesSql(schema)) await runner.query(sql);
  }

  async down(runner: QueryRunner): Promise<void> {
    const schema = runner.connection.driver.schema ?? 'catalog';
    await runner.query(`DROP TABLE "${schema}".processed_messages`);
    await runner.query(`DROP TABLE "${schema}".outbox`);
  }
}
