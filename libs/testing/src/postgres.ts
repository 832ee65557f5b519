import { Client } from 'pg';
import { testInfraEnv } from './infra';
import { uniqueName } from './names';

export async function connectPostgres(): Promise<Client> {
  const client = new Client({ connectionString: testInfraEnv().DATABASE_URL });
  await client.connect();
  return client;
}

export interface TestSchema {
  name: string;
  drop(): Promise<void>;
}

/**
 * A schema name of its own for one test file, so files run in parallel without sharing tables.
 * The schema itself is created by the code under test (its migrations); drop() removes it.
 */
export function testSchema(prefix: string): TestSchema {
  const name = uniqueName(`t_${prefix}`);
  return {
    name,
    async drop() {
      const client = await connectPostgres();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
