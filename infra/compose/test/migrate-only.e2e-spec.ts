import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  connectPostgres,
  testInfraEnv,
  testSchema,
  TEST_INTERNAL_AUTH_SECRET,
  uniqueName,
} from '@sdp/testing';
import { localServiceEnv, services } from '@sdp/topology';

// What each compose `<service>-migrate` job runs: the built service with --migrate-only. It must
// migrate and seed its schema, then exit 0 by itself (compose starts the replicas on that exit),
// and refuse DB_MIGRATE=false. Needs `pnpm build` and the local infrastructure.
const run = promisify(execFile);
const repoRoot = path.resolve(__dirname, '../../..');

const envFor = (name: string, schema: string): Record<string, string> => ({
  PATH: process.env.PATH ?? '',
  ...testInfraEnv(),
  ...localServiceEnv(services.find((s) => s.name === name)!),
  DB_SCHEMA: schema,
  KAFKA_TOPIC_PREFIX: `${uniqueName('mig')}.`,
  INTERNAL_AUTH_SECRET: TEST_INTERNAL_AUTH_SECRET,
  JWT_SECRET: 'j'.repeat(40),
  RUNNER_SECRET: 'r'.repeat(40), // control: the runner channel's secret goes with its RUNNER_URL
  DEMO_PASSWORD: 'demo-password',
  LOG_LEVEL: 'warn',
  PORT: '1',
});

describe('node dist/main.js --migrate-only (the compose migrate jobs)', () => {
  it.each(services.map((s) => [s.name] as const))(
    '%s migrates its schema and exits 0 without listening',
    async (name) => {
      const schema = testSchema(`mig_${name}`);
      try {
        const started = Date.now();
        // PORT=1 would fail to bind: exiting 0 shows it never listened.
        await run(
          process.execPath,
          [path.join(repoRoot, 'apps', name, 'dist', 'main.js'), '--migrate-only'],
          {
            env: envFor(name, schema.name),
            timeout: 60_000,
          },
        );
        const db = await connectPostgres();
        try {
          const { rows } = await db.query<{ n: string }>(
            `SELECT count(*) AS n FROM "${schema.name}".migrations`,
          );
          console.log(
            `${name}: ${rows[0].n} migrations applied in ${Date.now() - started} ms, then exited 0`,
          );
          expect(Number(rows[0].n)).toBeGreaterThan(0);
        } finally {
          await db.end();
        }
      } finally {
        await schema.drop();
      }
    },
    90_000,
  );

  it('refuses DB_MIGRATE=false, naming the variable', async () => {
    const schema = testSchema('mig_refuse');
    await expect(
      run(process.execPath, [path.join(repoRoot, 'apps', 'payments', 'dist', 'main.js'), '--migrate-only'], {
        env: { ...envFor('payments', schema.name), DB_MIGRATE: 'false' },
        timeout: 30_000,
      }),
    ).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('DB_MIGRATE: must not be false') });
    await schema.drop();
  });
});
