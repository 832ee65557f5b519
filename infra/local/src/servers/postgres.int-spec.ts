import { connectPostgres, testSchema } from '@sdp/testing';

// pnpm bench:checkout counts a checkout's statements with pg_stat_statements, attributing each to
// the service whose schema it names: the running Postgres must preload it and count that way.
describe('the local Postgres (pnpm infra:up)', () => {
  const schema = testSchema('stat_statements');
  let db: Awaited<ReturnType<typeof connectPostgres>>;

  beforeAll(async () => {
    db = await connectPostgres();
    await db.query(`CREATE SCHEMA "${schema.name}"`);
    await db.query(`CREATE TABLE "${schema.name}".things (id int PRIMARY KEY)`);
  });

  afterAll(async () => {
    await schema.drop();
    await db.end();
  });

  it('preloads pg_stat_statements and counts each statement under the schema it names', async () => {
    await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    for (let id = 1; id <= 3; id++) await db.query(`INSERT INTO "${schema.name}".things VALUES ($1)`, [id]);
    await db.query(`SELECT count(*) FROM "${schema.name}".things WHERE id > 1`);

    const { rows } = await db.query<{ query: string; calls: string }>(
      `SELECT query, calls FROM pg_stat_statements WHERE query LIKE '%' || $1 || '%' ORDER BY query`,
      [schema.name],
    );
    expect(rows.map((r) => [r.query.replace(`"${schema.name}"`, 'S'), Number(r.calls)])).toEqual(
      expect.arrayContaining([
        ['INSERT INTO S.things VALUES ($1)', 3],
        ['SELECT count(*) FROM S.things WHERE id > $1', 1],
      ]),
    );
  });
});
