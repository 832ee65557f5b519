import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateCatalog1764200000000 implements MigrationInterface {
  name = 'CreateCatalog1764200000000';

  async up(runner: QueryRunner): Promise<void> {
    const schema = runner.connection.driver.schema ?? 'catalog';
    await runner.query(`
      CREATE TABLE "${schema}".categories (
        id serial PRIMARY KEY,
        slug text NOT NULL UNIQUE,
        name text NOT NULL
      )`);
    await runner.query(`
      CREATE TABLE "${schema}".products (
        id serial PRIMARY KEY,
        sku text NOT NULL UNIQUE CHECK (sku ~ '^[A-Z0-9-]{3,32}$'),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        description text NOT NULL,
        price_cents integer NOT NULL CHECK (price_cents > 0),
        category_id integer NOT NULL REFERENCES "${schema}".categories(id),
        image_path text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Listing filters by category and sorts by name, price or recency, always with id as tiebreaker.
    await runner.query(`CREATE INDEX products_category_id_idx ON "${schema}".products (category_id, id)`);
    await runner.query(`CREATE INDEX products_price_idx ON "${schema}".products (price_cents, id)`);
    await runner.query(`CREATE INDEX products_name_idx ON "${schema}".products (name, id)`);
    await runner.query(
      `CREATE INDEX products_created_idx ON "${schema}".products (created_at DESC, id DESC)`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    const schema = runner.connection.driver.schema ?? 'catalog';
    await runner.query(`DROP TABLE "${schema}".products`);
    await runner.query(`DROP TABLE "${schema}".categories`);
  }
}
