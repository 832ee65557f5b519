import { testInfraEnv, testSchema } from '@sdp/testing';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createServiceDataSource } from './data-source';
import { migrateSchema } from './migrate';

const schema = testSchema('database');

class CreateThings1700000000000 implements MigrationInterface {
  name = 'CreateThings1700000000000';
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE "${schema.name}".things (id serial PRIMARY KEY, label text NOT NULL)`);
  }
  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE "${schema.name}".things`);
  }
}

const dataSource = (replica: number) =>
  createServiceDataSource({
    url: testInfraEnv().DATABASE_URL,
    schema: schema.name,
    entities: [],
    migrations: [CreateThings1700000000000],
    applicationName: `database-int-${replica}`,
    poolSize: 2,
  });

describe(migrateSchema.name, () => {
  const sources = [dataSource(1), dataSource(2)];

  beforeAll(async () => {
    await Promise.all(sources.map((s) => s.initialize()));
  });

  afterAll(async () => {
    await Promise.all(sources.map((s) => s.destroy()));
    await schema.drop();
  });

  it('creates the schema and applies each migration exactly once when two replicas migrate at the same time', async () => {
    const applied = await Promise.all(sources.map((s) => migrateSchema(s, schema.name)));
    expect(applied.flat()).toEqual(['CreateThings1700000000000']);

    const rows: { name: string }[] = await sources[0].query(`SELECT name FROM "${schema.name}".migrations`);
    expect(rows.map((r) => r.name)).toEqual(['CreateThings1700000000000']);
    await sources[1].query(`INSERT INTO "${schema.name}".things (label) VALUES ('ok')`);
  });

  it('is a no-op when nothing is pending', async () => {
    await expect(migrateSchema(sources[0], schema.name)).resolves.toEqual([]);
  });

  it('never synchronizes the schema from entities', () => {
    expect(sources[0].options.synchronize).toBe(false);
  });
});
