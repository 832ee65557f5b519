import { TEST_INTERNAL_AUTH_SECRET } from './identity';
import { testInfraEnv } from './infra';
import { uniqueName } from './names';
import { testSchema, type TestSchema } from './postgres';

/**
 * What keeps the services one integration test file starts apart from every other file's: a
 * schema, Kafka topic prefix and Redis lock key prefix of its own, so files can run in parallel.
 */
export interface ServiceTestScope {
  schema: TestSchema;
  topicPrefix: string;
  lockPrefix: string;
}

/** A fresh scope for one test file; `scope.schema.drop()` in afterAll removes its tables. */
export function serviceTestScope(service: string): ServiceTestScope {
  return {
    schema: testSchema(service),
    topicPrefix: `${uniqueName('t')}.`,
    lockPrefix: `${uniqueName('t')}:lock:`,
  };
}

/** What tells one in-process replica apart, plus any of the service's own variables. */
export type ServiceTestSettings = { INSTANCE_ID: string } & Record<string, string>;

/**
 * The env for a service an integration test starts in-process (its load<Name>Config input): the
 * real infrastructure of `pnpm infra:up`, the tests' internal secret, quiet logs (TEST_LOG_LEVEL
 * shows them), a small pool and the scope's schema and prefixes. `settings` come last, so a test
 * may override any of these (a pool size, another topic prefix).
 */
export function serviceTestEnv(
  scope: ServiceTestScope,
  settings: ServiceTestSettings,
): Record<string, string> {
  return {
    ...testInfraEnv(),
    INTERNAL_AUTH_SECRET: TEST_INTERNAL_AUTH_SECRET,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DB_POOL_SIZE: '4',
    DB_SCHEMA: scope.schema.name,
    KAFKA_TOPIC_PREFIX: scope.topicPrefix,
    LOCK_KEY_PREFIX: scope.lockPrefix,
    ...settings,
  };
}
