// Pure part of `pnpm stack`: which processes to run (one per replica of every service in
// @sdp/topology), with which env, and what to print about them.
import path from 'node:path';
import { localServiceEnv, servicePorts, type ServiceSpec } from '@sdp/topology';

export interface Replica {
  /** `<service>-<n>`, n from 1; also the replica's INSTANCE_ID and its log prefix. */
  id: string;
  service: string;
  port: number;
  url: string;
  /** The built entry point: apps/<service>/dist/main.js. */
  entry: string;
  /** Env on top of the parent's: the infra URLs, HOST, PORT, INSTANCE_ID. */
  env: Record<string, string>;
}

export const serviceEntry = (repoRoot: string, service: string): string =>
  path.join(repoRoot, 'apps', service, 'dist', 'main.js');

export function replicasOf(
  services: readonly ServiceSpec[],
  options: {
    repoRoot: string;
    infraEnv: Record<string, string>;
    /** Env only some services get (e.g. the gateway's JWT secret), so secrets go no further than needed. */
    serviceEnv?: (service: string) => Record<string, string>;
    host?: string;
  },
): Replica[] {
  const host = options.host ?? '127.0.0.1';
  return services.flatMap((spec) =>
    servicePorts(spec).map((port, i) => {
      const id = `${spec.name}-${i + 1}`;
      return {
        id,
        service: spec.name,
        port,
        url: `http://${host}:${port}`,
        entry: serviceEntry(options.repoRoot, spec.name),
        env: {
          ...options.infraEnv,
          ...localServiceEnv(spec),
          ...options.serviceEnv?.(spec.name),
          HOST: host,
          PORT: String(port),
          INSTANCE_ID: id,
        },
      };
    }),
  );
}

/** Services whose entry point is missing (they need `pnpm build`). */
export const unbuilt = (replicas: readonly Replica[], exists: (file: string) => boolean): string[] => [
  ...new Set(replicas.filter((r) => !exists(r.entry)).map((r) => r.service)),
];

export const shellQuote = (arg: string): string => `'${arg.replace(/'/g, `'\\''`)}'`;

/** Quotes only when needed, so plain URLs print as they are. */
const shellWord = (arg: string): string => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : shellQuote(arg));

/** Paths worth a curl per service, after /ready. Services not listed get only /ready. */
export const examplePaths: Record<string, readonly string[]> = {
  catalog: ['/products/1', '/products?limit=3'],
};

/** The nginx proxies in front of the replicas, when the stack runs them. */
export interface ProxyUrls {
  /** The public entry point: storefront and /api. */
  edge: string;
  /** The internal load balancer: /<service>/... */
  lb: string;
}

export function formatSummary(
  replicas: readonly Replica[],
  options: {
    seconds: number;
    downOnExit: boolean;
    proxies?: ProxyUrls;
    demoLogin?: string;
    /** Where the replicas' JSON logs are written. */
    logsDir?: string;
  },
): string {
  const labels = options.proxies ? ['edge (nginx)'] : [];
  const width = Math.max(...replicas.map((r) => r.id.length), ...labels.map((l) => l.length));
  const services = new Set(replicas.map((r) => r.service)).size;
  const lines = [
    `stack ready: ${replicas.length} replica(s) of ${services} service(s) in ${options.seconds.toFixed(1)}s`,
    '',
  ];
  const { proxies } = options;
  if (proxies)
    lines.push(
      `  open ${proxies.edge}  (the edge: storefront and /api; everything else is internal)`,
      ...(options.demoLogin ? [`  log in as ${options.demoLogin}`] : []),
      '',
      `  ${'edge (nginx)'.padEnd(width)}  ${proxies.edge}`,
      `  ${'lb (nginx)'.padEnd(width)}  ${proxies.lb}`,
    );
  lines.push(...replicas.map((r) => `  ${r.id.padEnd(width)}  ${r.url}`), '', 'try:');
  if (proxies) {
    const lbService = replicas.find((r) => r.service !== 'gateway')?.service ?? 'catalog';
    lines.push(
      `  curl -i ${shellWord(`${proxies.edge}/api/products/1`)}   # twice: X-Cache-Status MISS, then HIT`,
      `  curl -i ${shellWord(`${proxies.edge}/api/products?limit=3`)}`,
      `  curl -i ${shellWord(`${proxies.lb}/${lbService}/ready`)}   # X-Upstream-Addr: the replica that answered`,
    );
  }
  for (const service of new Set(replicas.map((r) => r.service))) {
    const mine = replicas.filter((r) => r.service === service);
    const [first, ...more] = examplePaths[service] ?? ['/ready'];
    // The same request to every replica: each answers with its own x-instance-id.
    for (const r of mine) lines.push(`  curl -i ${shellWord(r.url + first)}`);
    for (const p of more) lines.push(`  curl -i ${shellWord(mine[0].url + p)}`);
    if (first !== '/ready') lines.push(`  curl -i ${shellWord(mine[0].url + '/ready')}`);
  }
  if (options.logsDir) {
    const service = replicas.find((r) => r.service !== 'gateway')?.service ?? replicas[0].service;
    lines.push(
      '',
      `logs: each replica writes JSON lines to ${options.logsDir}/<replica>.log`,
      `  pnpm logs ${service}   # follow one service's replicas, pretty-printed (or: pnpm stack --logs ${service})`,
    );
  }
  lines.push(
    '',
    `Ctrl-C stops the replicas; ${
      options.downOnExit
        ? 'the infrastructure is stopped too (--down)'
        : 'the infrastructure keeps running (pnpm infra:down stops it)'
    }.`,
  );
  return lines.join('\n');
}

/** Keeps the last `max` lines of a stream of chunks, for error messages. */
export class OutputTail {
  private lines: string[] = [];
  private partial = '';

  constructor(private readonly max = 30) {}

  push(chunk: string): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    this.lines.push(...parts);
    if (this.lines.length > this.max) this.lines.splice(0, this.lines.length - this.max);
  }

  text(): string {
    const all = this.partial ? [...this.lines, this.partial] : this.lines;
    return all.slice(-this.max).join('\n') || '(no output)';
  }
}

/** How a replica ended, for humans: `exit code 1` or `signal SIGKILL`. */
export const describeExit = (exitCode: number | string): string =>
  typeof exitCode === 'number' ? `exit code ${exitCode}` : `signal ${exitCode}`;
