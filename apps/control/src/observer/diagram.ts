import { cdn, kafka, proxies, redisNodes, services, type ServiceSpec } from '@sdp/topology';
import type { Figure } from './replica-figures';

// The diagram's boxes and arrows, built from @sdp/topology (the one source of truth): the proxies,
// every service with its replicas, and the servers. A service added to the topology appears here
// with no change; its arrows to the servers come from what its own /ready checks.

export type NodeKind = 'proxy' | 'service' | 'cache' | 'lock' | 'queue' | 'database' | 'storage';
export type Health = 'up' | 'down' | 'degraded' | 'unknown';

export interface ReplicaView {
  id: string;
  status: Health;
  figures: Figure[];
}

export interface DiagramNode {
  id: string;
  label: string;
  kind: NodeKind;
  status: Health;
  figures: Figure[];
  /** Services only: one entry per replica, each with its own status and figures. */
  replicas?: ReplicaView[];
  /** The study-guide page of the concept and the file that implements it. */
  doc: string;
  code: string;
}

export interface DiagramEdge {
  from: string;
  to: string;
}

/** Study-guide page and implementing file per component (a service not listed gets its own folder). */
const references: Record<string, { doc: string; code: string }> = {
  edge: { doc: 'docs/cdn.md', code: 'infra/nginx/edge.conf.template' },
  shield: { doc: 'docs/cdn.md', code: 'infra/nginx/shield.conf.template' },
  media: { doc: 'docs/cdn.md', code: 'apps/media-origin/src' },
  lb: { doc: 'docs/load-balancer.md', code: 'infra/nginx/lb.conf.template' },
  gateway: { doc: 'docs/api-gateway.md', code: 'apps/gateway/src/routes/route-table.ts' },
  catalog: { doc: 'docs/cache-aside.md', code: 'apps/catalog/src/products/products.service.ts' },
  inventory: {
    doc: 'docs/distributed-locks.md',
    code: 'apps/inventory/src/reservations/reservations.service.ts',
  },
  orders: { doc: 'docs/outbox-and-idempotency.md', code: 'apps/orders/src/orders' },
  payments: {
    doc: 'docs/payments-and-notifications.md',
    code: 'apps/payments/src/payments/payments.service.ts',
  },
  notifications: {
    doc: 'docs/payments-and-notifications.md',
    code: 'apps/notifications/src/notifications/notification-streams.ts',
  },
  control: { doc: 'docs/architecture.md', code: 'apps/control/src/observer/observer.service.ts' },
  'redis-cache': { doc: 'docs/cache-aside.md', code: 'libs/cache/src' },
  lock: { doc: 'docs/distributed-locks.md', code: 'libs/locks/src' },
  kafka: { doc: 'docs/messaging.md', code: 'libs/messaging/src' },
  postgres: { doc: 'docs/infrastructure.md', code: 'libs/database/src' },
};

const referenceOf = (key: string, fallback: { doc: string; code: string }) => references[key] ?? fallback;

/** Readiness check name (libs/*: DatabaseModule, CacheRedisModule, KafkaModule, LockModule) → server boxes. */
export function dependencyNodes(check: string): string[] {
  switch (check) {
    case 'postgres':
      return ['postgres'];
    case 'kafka':
      return ['kafka'];
    case 'redis-cache':
    case 'redis-subscriber':
      return redisNodes.filter((n) => n.role === 'cache').map((n) => n.name);
    case 'redis-locks':
      return redisNodes.filter((n) => n.role === 'lock').map((n) => n.name);
    default:
      return [];
  }
}

export interface DiagramShape {
  nodes: Omit<DiagramNode, 'status' | 'figures' | 'replicas'>[];
  edges: DiagramEdge[];
  /** Service name → its replica ids, as the topology has them (`<service>-<n>`). */
  replicaIds: Record<string, string[]>;
}

/**
 * The CDN of the topology (docs/cdn.md): an edge per remote region beside the home `edge`, the
 * shield every edge's media miss goes through, and the media origin behind it. A remote region's
 * /api/ crosses its WAN link to the shield, which passes it to the gateways uncached.
 */
function addCdn(nodes: DiagramShape['nodes'], edges: DiagramEdge[], hasGateway: boolean): void {
  for (const region of cdn.regions) {
    if (region.edge === proxies.edge.name) continue;
    nodes.push({
      id: region.edge,
      label: `${region.edge} (${region.region})`,
      kind: 'proxy',
      ...references.edge,
    });
  }
  nodes.push(
    { id: cdn.shield.name, label: 'origin shield', kind: 'proxy', ...references.shield },
    { id: cdn.mediaOrigin.name, label: 'media origin', kind: 'storage', ...references.media },
  );
  for (const region of cdn.regions) edges.push({ from: region.edge, to: cdn.shield.name });
  edges.push({ from: cdn.shield.name, to: cdn.mediaOrigin.name });
  if (hasGateway) edges.push({ from: cdn.shield.name, to: 'gateway' });
}

/**
 * The boxes and arrows without figures. `dependencies` holds, per service, the readiness checks its
 * replicas reported (learned at run time); until known, a service has arrows only from the lb.
 * `withCdn`: the stack runs the topology's CDN (regional edges, shield, media origin) too.
 */
export function diagramShape(
  specs: readonly ServiceSpec[] = services,
  dependencies: Record<string, readonly string[]> = {},
  withCdn = false,
): DiagramShape {
  const nodes: DiagramShape['nodes'] = [];
  const edges: DiagramEdge[] = [];
  const replicaIds: Record<string, string[]> = {};
  const proxyNames = Object.values(proxies).map((p) => p.name);
  for (const name of proxyNames)
    nodes.push({
      id: name,
      label: name,
      kind: 'proxy',
      ...referenceOf(name, { doc: 'docs/cdn.md', code: 'infra/nginx' }),
    });
  for (const spec of specs) {
    replicaIds[spec.name] = Array.from({ length: spec.replicas }, (_, i) => `${spec.name}-${i + 1}`);
    nodes.push({
      id: spec.name,
      label: `${spec.name} ×${spec.replicas}`,
      kind: 'service',
      ...referenceOf(spec.name, { doc: `docs/${spec.name}.md`, code: `apps/${spec.name}/src` }),
    });
  }
  for (const node of redisNodes)
    nodes.push({
      id: node.name,
      label: node.name,
      kind: node.role === 'cache' ? 'cache' : 'lock',
      ...referenceOf(node.role === 'cache' ? node.name : 'lock', references.lock),
    });
  nodes.push(
    { id: 'kafka', label: `kafka ${kafka.version}`, kind: 'queue', ...references.kafka },
    { id: 'postgres', label: 'postgres', kind: 'database', ...references.postgres },
  );

  // The request path: edge → gateways → lb → every other service.
  const hasGateway = specs.some((s) => s.name === 'gateway');
  if (hasGateway) edges.push({ from: 'edge', to: 'gateway' }, { from: 'gateway', to: 'lb' });
  for (const spec of specs) {
    if (spec.name === 'gateway') continue;
    edges.push({ from: 'lb', to: spec.name });
  }
  for (const spec of specs) {
    const targets = new Set((dependencies[spec.name] ?? []).flatMap(dependencyNodes));
    for (const to of targets) edges.push({ from: spec.name, to });
  }
  if (withCdn) addCdn(nodes, edges, hasGateway);
  return { nodes, edges, replicaIds };
}
