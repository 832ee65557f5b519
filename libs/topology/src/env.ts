import { cdn, cdnPort, edgeUrls, mediaOriginUrl } from './cdn';
import { kafkaBroker, postgresUrl, redisNodes, redisUrl, zookeeperUrl } from './infra';
import { edgeUrl, lbServiceUrl, proxyPort, runnerControlUrl, type ServiceSpec } from './services';

/** The infrastructure env every service needs when it runs against the local stack. */
export const localInfraEnv = (): Record<string, string> => ({
  DATABASE_URL: postgresUrl(),
  REDIS_CACHE_URL: redisUrl(redisNodes.find((n) => n.role === 'cache')!),
  REDIS_LOCK_URLS: redisNodes
    .filter((n) => n.role === 'lock')
    .map(redisUrl)
    .join(','),
  KAFKA_BROKERS: kafkaBroker(),
  /** Used only by services started with LOCK_BACKEND=zookeeper (Redlock is the default). */
  ZOOKEEPER_URL: zookeeperUrl(),
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
    // Every region's edge: a product change refreshes them all, not only the home one.
    env.EDGE_URLS = edgeUrls().join(',');
  }
  if (spec.name === 'control') {
    env.EDGE_URL = edgeUrl();
    env.LB_URL = `http://127.0.0.1:${proxyPort('lb')}`;
    env.RUNNER_URL = runnerControlUrl();
    // The CDN's nodes: drawn on the architecture page, and the CDN scenario's regions.
    env.CDN_EDGE_URLS = edgeUrls().join(',');
    env.CDN_SHIELD_URL = `http://127.0.0.1:${cdnPort(cdn.shield.port)}`;
    env.MEDIA_ORIGIN_URL = mediaOriginUrl();
  }
  return env;
};
