import { kafkaBroker, postgresUrl, redisNodes, redisUrl } from './infra';
import { serviceUrls, type ServiceSpec } from './services';

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

/**
 * Env a service needs beyond the infrastructure: where its synchronous dependencies listen. (Until
 * the load balancer exists, callers get every replica's URL and spread requests themselves.)
 */
export const localServiceEnv = (spec: ServiceSpec): Record<string, string> => {
  const env: Record<string, string> = { DB_SCHEMA: spec.schema };
  if (spec.name === 'orders') {
    env.INVENTORY_URLS = serviceUrls('inventory').join(',');
    env.CATALOG_URLS = serviceUrls('catalog').join(',');
  }
  return env;
};
