import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  connectPostgres,
  freePorts,
  spawnService,
  TEST_INTERNAL_AUTH_SECRET,
  testInfraEnv,
  uniqueName,
  waitUntilReady,
  type ServiceProcess,
} from '@sdp/testing';
import { services, type ServiceSpec } from '@sdp/topology';
import { edgeRefreshToken, startNginx, type NginxInstance } from '../../../infra/local/src/nginx';

// A private copy of the whole platform for one test file: every service from the topology, with its
// replica count, as real processes of the built apps, on free ports, with their own Postgres schemas
// and Kafka topic prefix (so nothing is shared with another test file or a running `pnpm stack`).

export type ServiceName = 'gateway' | 'catalog' | 'inventory' | 'orders' | 'payments' | 'notifications';

const backendServices: readonly ServiceName[] = [
  'catalog',
  'inventory',
  'orders',
  'payments',
  'notifications',
];

/** The demo users' password in test stacks (the gateway seeds alice@, bob@, admin@, customerNNN@example.com). */
export const TEST_DEMO_PASSWORD = 'e2e-demo-password';
const TEST_JWT_SECRET = 'e2e-jwt-secret-0123456789abcdef0123456789';

export interface TestStack {
  /** Base URLs of every replica, per service. */
  urls: Record<ServiceName, string[]>;
  processes: ServiceProcess[];
  topicPrefix: string;
  schemas: Record<ServiceName, string>;
  /** The lb over every replica: services call each other through it, as in `pnpm stack` and compose. */
  lb: NginxInstance;
  /** With `{ proxies: true }`: the edge in front of the gateways (catalog gets EDGE_URL). */
  edge?: NginxInstance;
  /**
   * Replaces a crashed or stopped replica with a fresh process on the same port; `env` overrides its
   * settings for this process only (e.g. a shorter provider timeout).
   */
  restart(replica: ServiceProcess, env?: Record<string, string>): Promise<ServiceProcess>;
  stop(): Promise<void>;
}

const repoRoot = path.resolve(__dirname, '../../..');
const entry = (service: string) => path.join(repoRoot, 'apps', service, 'dist', 'main.js');

export interface TestStackOptions {
  /** The whole request path: the gateways too, and the edge in front of them. */
  proxies?: boolean;
}

export async function startTestStack(
  settings: Partial<Record<ServiceName, Record<string, string>>> = {},
  options: TestStackOptions = {},
): Promise<TestStack> {
  const id = uniqueName('e2e');
  const topicPrefix = `${id}.`;
  const wanted = options.proxies ? ['gateway', ...backendServices] : backendServices;
  const specs = services.filter((s) => wanted.includes(s.name as ServiceName)) as (ServiceSpec & {
    name: ServiceName;
  })[];
  // Every port at once, so no two are the same (the lb and edge too).
  const [lbPort, edgePort, ...replicaPorts] = await freePorts(
    2 + specs.reduce((sum, s) => sum + s.replicas, 0),
  );
  const ports = Object.fromEntries(specs.map((s) => [s.name, replicaPorts.splice(0, s.replicas)])) as Record<
    ServiceName,
    number[]
  >;
  const urls = Object.fromEntries(
    specs.map((s) => [s.name, ports[s.name].map((p) => `http://127.0.0.1:${p}`)]),
  ) as Record<ServiceName, string[]>;
  const schemas = Object.fromEntries(specs.map((s) => [s.name, `${id}_${s.name}`])) as Record<
    ServiceName,
    string
  >;

  // nginx does not need its upstreams up to start, so the proxies come first and the services'
  // URLs can point at them.
  const proxyDir = fs.mkdtempSync(path.join(os.tmpdir(), `${id}-nginx-`));
  const lb = await startNginx({
    role: 'lb',
    dir: path.join(proxyDir, 'lb'),
    port: lbPort,
    upstreams: Object.fromEntries(
      specs
        .filter((s) => s.name !== 'gateway')
        .map((s) => [s.name, ports[s.name].map((p) => `127.0.0.1:${p}`)]),
    ),
  });
  let edge: NginxInstance | undefined;
  if (options.proxies) {
    edge = await startNginx({
      role: 'edge',
      dir: path.join(proxyDir, 'edge'),
      port: edgePort,
      gateways: ports.gateway.map((p) => `127.0.0.1:${p}`),
      webRoot: path.join(repoRoot, 'apps', 'web', 'dist'),
      refreshToken: edgeRefreshToken(TEST_INTERNAL_AUTH_SECRET),
    }).catch(async (error: unknown) => {
      await lb.stop();
      throw error;
    });
  }
  const serviceUrl = (name: ServiceName) => `${lb.url}/${name}`;

  const envFor = (spec: ServiceSpec & { name: ServiceName }, replica: number): Record<string, string> => ({
    ...testInfraEnv(),
    INTERNAL_AUTH_SECRET: TEST_INTERNAL_AUTH_SECRET,
    KAFKA_TOPIC_PREFIX: topicPrefix,
    DB_SCHEMA: schemas[spec.name],
    CACHE_KEY_PREFIX: id,
    // Rate-limit counters live in the shared Redis too: a test stack's logins must not count against
    // another stack's (or `pnpm stack`'s) limit for the same client address.
    RATE_LIMIT_KEY_PREFIX: `${id}:rl`,
    INVENTORY_URL: serviceUrl('inventory'),
    CATALOG_URL: serviceUrl('catalog'),
    ...(edge && spec.name === 'catalog' ? { EDGE_URL: edge.url } : {}),
    ...(spec.name === 'gateway'
      ? { UPSTREAM_BASE_URL: lb.url, JWT_SECRET: TEST_JWT_SECRET, DEMO_PASSWORD: TEST_DEMO_PASSWORD }
      : {}),
    PORT: String(ports[spec.name][replica]),
    INSTANCE_ID: `${spec.name}-${replica + 1}`,
    LOG_LEVEL: 'warn',
    DB_POOL_SIZE: '8',
    ...settings[spec.name],
  });

  const launch = (
    spec: ServiceSpec & { name: ServiceName },
    replica: number,
    env: Record<string, string> = {},
  ) => spawnService(`${spec.name}-${replica + 1}`, entry(spec.name), { ...envFor(spec, replica), ...env });

  const processes: ServiceProcess[] = [];
  const stop = async () => {
    await edge?.stop();
    await lb.stop();
    fs.rmSync(proxyDir, { recursive: true, force: true });
    await Promise.all(processes.map((p) => p.stop()));
    const db = await connectPostgres();
    try {
      for (const schema of Object.values(schemas))
        await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    } finally {
      await db.end();
    }
  };

  try {
    // One replica of each service first (it migrates and seeds its schema), then the rest.
    const firsts = specs.map((spec) => launch(spec, 0));
    processes.push(...firsts);
    await Promise.all(firsts.map((p) => waitUntilReady(p)));
    const rest = specs.flatMap((spec) =>
      Array.from({ length: spec.replicas - 1 }, (_, i) => launch(spec, i + 1)),
    );
    processes.push(...rest);
    await Promise.all(rest.map((p) => waitUntilReady(p)));
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    urls,
    processes,
    topicPrefix,
    schemas,
    lb,
    edge,
    async restart(replica, env) {
      const [name, n] = [
        replica.name.replace(/-\d+$/, '') as ServiceName,
        Number(replica.name.split('-').pop()) - 1,
      ];
      const spec = specs.find((s) => s.name === name)!;
      const fresh = launch(spec, n, env);
      processes[processes.indexOf(replica)] = fresh;
      await waitUntilReady(fresh);
      return fresh;
    },
    stop,
  };
}
