import { kafkaBroker, postgresUrl, redisNodes, redisUrl } from './infra';

/** The infrastructure env every service needs when it runs against the local stack. */
export const localInfraEnv = (): Record<string, string> => ({
  DATABASE_URL: postgresUrl(),
  REDIS_CACHE_URL: redisUrl(redisNodes.find((n) => n.role === 'cache')!),
  REDIS_LOCK_URLS: redisNodes
    .filter((n) => n.role === 'lock')
    .map(redisUrl)
    .join(','),
  KAFKA_BROKERS: kafkaBroker(),
});
