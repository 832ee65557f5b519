import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { TEST_INTERNAL_AUTH_SECRET, testInfraEnv } from '@sdp/testing';
import { createCatalogApp } from '../../src/app';
import { loadCatalogConfig } from '../../src/config';

/** What tells one test replica apart; any other catalog variable may be overridden too. */
export type CatalogTestEnv = { DB_SCHEMA: string; CACHE_KEY_PREFIX: string; INSTANCE_ID: string } & Record<
  string,
  string
>;

/**
 * One in-process catalog replica for the integration tests, on the real Postgres, Redis and Kafka
 * of `pnpm infra:up`, with quiet logs and a small pool; ready to take `inject` requests.
 */
export async function startCatalogApp(env: CatalogTestEnv): Promise<NestFastifyApplication> {
  const app = await createCatalogApp(
    loadCatalogConfig({
      ...testInfraEnv(),
      INTERNAL_AUTH_SECRET: TEST_INTERNAL_AUTH_SECRET,
      LOG_LEVEL: 'silent',
      DB_POOL_SIZE: '4',
      ...env,
    }),
  );
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
