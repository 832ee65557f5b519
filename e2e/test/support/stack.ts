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
import { localInfraEnv, services, type ServiceSpec } from '@sdp/topology';
import { startControlChannel, type ControlChannel } from '../../../infra/local/src/control-channel';
import { edgeRefreshToken, startNginx, type NginxInstance } from '../../../infra/local/src/nginx';
import { infraPaths } from '../../../infra/local/src/paths';
import { infraServerControl } from '../../../infra/local/src/server-control';

// A private copy of the whole platform for one test file: every service from the topology, with its
// replica count, as real processes of the built apps, on free ports, with their own Postgres schemas
// and Kafka topic prefix (so nothing is shared with another test file or a running `pnpm stack`).

export type ServiceName =
  | 'gateway'
  | 'catalog'
  | 'inventory'
  | 'orders'
  | 'payments'
  | 'notifications'
  | 'delivery'
  | 'auctions'
  | 'control';

const backendServices: readonly ServiceName[] = [
  'catalog',
  'inventory',
  'orders',
  'payments',
  'notifications',
  'auctions',
  'delivery',
];

/** The demo users' password in test stacks (the gateway seeds alice@, bob@, admin@, customerNNN@example.com). */
export const TEST_DEMO_PASSWORD = 'e2e-demo-password';
const TEST_JWT_SECRET = 'e2e-jwt-secret-0123456789abcdef0123456789';
const TEST_RUNNER_SECRET = 'e2e-runner-secret-0123456789abcdef012345';

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
  /**
   * A process the test runs beside the stack (the CDN lab's media origin) that the runner channel
   * lists and may kill and start, as `pnpm stack`'s runner does with its media origin.
   */
  adopt(replica: AdoptedReplica): void;
  stop(): Promise<void>;
}

export interface AdoptedReplica {
  id: string;
  service: string;
  url: string;
  kill(): Promise<void>;
  /** Starts it again; may resolve once it is ready. */
  start(): Promise<void>;
}

const repoRoot = path.resolve(__dirname, '../../..');
/** How long a replica may take to answer /ready (first boots migrate and seed; a busy machine is slow). */
const READY_TIMEOUT_MS = Number(process.env.E2E_READY_TIMEOUT_MS ?? 60_000);
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
  // The architecture page's control service needs the whole path (it watches the edge too).
  const wanted = options.proxies ? ['gateway', ...backendServices, 'control'] : backendServices;
  const specs = services.filter((s) => wanted.includes(s.name as ServiceName)) as (ServiceSpec & {
    name: ServiceName;
  })[];
  // Every port at once, so no two are the same (the lb and edge too).
  const [lbPort, edgePort, channelPort, ...replicaPorts] = await freePorts(
    3 + specs.reduce((sum, s) => sum + s.replicas, 0),
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
    // The auctions closing job's cron lock must not be shared with another stack's.
    ...(spec.name === 'auctions' ? { LOCK_KEY_PREFIX: `${id}:lock:` } : {}),
    // Every stack seeds courier-01..: their locks must not meet another stack's.
    ...(spec.name === 'delivery' ? { LOCK_KEY_PREFIX: `${id}:lock:` } : {}),
    ...(spec.name === 'control' && edge
      ? {
          LB_URL: lb.url,
          EDGE_URL: edge.url,
          RUNNER_URL: `http://127.0.0.1:${channelPort}`,
          RUNNER_SECRET: TEST_RUNNER_SECRET,
          SCRAPE_TIMEOUT_MS: '2000',
        }
      : {}),
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
  const adopted: AdoptedReplica[] = [];
  let channel: ControlChannel | undefined;
  const stop = async () => {
    await channel?.close();
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
    await Promise.all(firsts.map((p) => waitUntilReady(p, READY_TIMEOUT_MS)));
    const rest = specs.flatMap((spec) =>
      Array.from({ length: spec.replicas - 1 }, (_, i) => launch(spec, i + 1)),
    );
    processes.push(...rest);
    await Promise.all(rest.map((p) => waitUntilReady(p, READY_TIMEOUT_MS)));
  } catch (error) {
    await stop();
    throw error;
  }

  const stack: TestStack = {
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
      await waitUntilReady(fresh, READY_TIMEOUT_MS);
      return fresh;
    },
    adopt: (replica) => adopted.push(replica),
    stop,
  };
  if (edge) {
    // What `pnpm stack`'s runner offers the control service: kill a replica, start it again; stop
    // and start a Redis node or Kafka. The infra is the tier's shared one (SDP_PORT_OFFSET's, in
    // this checkout's .infra/): a scenario that stops Kafka stops it for whatever else runs at that
    // moment, and starts it again (ready) before it ends. Not offered when the env points the
    // services at other servers than the ones this checkout runs.
    const ownInfra = JSON.stringify(testInfraEnv()) === JSON.stringify(localInfraEnv());
    const stopped = new Set<string>();
    channel = await startControlChannel({
      port: channelPort,
      secret: TEST_RUNNER_SECRET,
      control: {
        list: () =>
          [
            ...stack.processes.map((p) => ({ id: p.name, service: p.name.replace(/-\d+$/, ''), url: p.url })),
            ...adopted.map(({ id, service, url }) => ({ id, service, url })),
          ].map((r) => ({ ...r, state: stopped.has(r.id) ? ('stopped' as const) : ('running' as const) })),
        kill: async (replicaId) => {
          stopped.add(replicaId);
          const other = adopted.find((a) => a.id === replicaId);
          await (other ?? stack.processes.find((p) => p.name === replicaId)!).kill();
        },
        start: async (replicaId) => {
          stopped.delete(replicaId);
          const other = adopted.find((a) => a.id === replicaId);
          const starting = other
            ? other.start()
            : stack.restart(stack.processes.find((p) => p.name === replicaId)!);
          void starting.catch(() => stopped.add(replicaId));
          await Promise.resolve();
        },
      },
      servers: ownInfra ? infraServerControl(infraPaths(repoRoot), repoRoot) : undefined,
    }).catch(async (error: unknown) => {
      await stop();
      throw error;
    });
  }
  return stack;
}
