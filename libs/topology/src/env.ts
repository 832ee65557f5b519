import { kafkaBroker, postgresUrl, redisNodes, redisUrl } from './infra';
import { edgeUrl, lbServiceUrl, proxyPort, type ServiceSpec } from './services';

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
 * Env a service needs beyond the infrastructure: where its synchronous dependencies listen. Calls
 * between services go through the load balancer, never to a replica directly.
 */
export const localServiceEnv = (spec: ServiceSpec): Record<string, string> => {
  const env: Record<string, string> = { DB_SCHEMA: spec.schema };
  if (spec.name === 'orders') {
    env.INVENTORY_URL = lbServiceUrl('inventory');
    env.CATALOG_URL = lbServiceUrl('catalog');
  }
  if (spec.name === 'gateway') {
    env.UPSTREAM_BASE_URL = `http://127.0.0.1:${proxyPort('lb')}`;
  }
  if (spec.name === 'catalog') {
    env.EDGE_URL = edgeUrl();
  }
  return env;
};
