// Lock acquire+release latency and throughput on both backends, next to their bare baselines, all
// measured in this run on this machine: Redlock (3 Redis nodes) vs one bare `SET NX PX` + `DEL` on
// one node; the ZooKeeper lock vs one bare ephemeral `create` + `delete`. Uncontended (one caller,
// cycling over 100 keys, as a service cycles over its SKUs) and contended (N callers in two LockService instances on one key).
// Run: pnpm bench:locks [--duration 5] [--contenders 8]   (needs pnpm infra:up)
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { CreateMode, createClient, type Client, type Exception } from 'node-zookeeper-client';
import { createRedis } from '@sdp/redis';
import { localInfraEnv } from '@sdp/topology';
import { RedlockLockService, ZooKeeperLockService, type LockService } from '../src';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(`usage: pnpm bench:locks [--duration 5] [--contenders 8]
  lock acquire+release p50/p99 and locks/s, Redlock vs ZooKeeper, uncontended and contended on one key,
  each with a ratio to its bare baseline (Redis SET NX + DEL; ZooKeeper create + delete) measured in the
  same run (needs pnpm infra:up; REDIS_LOCK_URLS and ZOOKEEPER_URL override the local servers)`);
  process.exit(0);
}
const flag = (name: string, fallback: number): number => {
  const at = args.indexOf(`--${name}`);
  const value = at >= 0 ? Number(args[at + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
};
const DURATION_MS = flag('duration', 5) * 1_000;
const CONTENDERS = Math.round(flag('contenders', 8));
const env = { ...localInfraEnv(), ...process.env } as Record<string, string>;
const lockUrls = env.REDIS_LOCK_URLS.split(',');
const zkUrl = env.ZOOKEEPER_URL;
const run = randomUUID().slice(0, 8);

interface Row {
  scenario: string;
  ops: number;
  perSecond: number;
  p50: number;
  p99: number;
  baseline?: string;
}

const percentile = (sorted: number[], p: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** Runs `op` in `workers` loops for the duration; each op's latency in ms. */
async function measure(
  scenario: string,
  workers: number,
  op: (worker: number, i: number) => Promise<void>,
): Promise<Row> {
  const latencies: number[] = [];
  const deadline = Date.now() + DURATION_MS;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      for (let i = 0; Date.now() < deadline; i++) {
        const t = performance.now();
        await op(worker, i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1_000;
  latencies.sort((a, b) => a - b);
  return {
    scenario,
    ops: latencies.length,
    perSecond: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

const zkCall = <T>(start: (cb: (error: Error | Exception | null, value: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) =>
    start((error, value) => (error ? reject(new Error(String(error))) : resolve(value))),
  );

async function zkClient(): Promise<Client> {
  const client = createClient(zkUrl, { sessionTimeout: 10_000 });
  const connected = new Promise<void>((resolve) => client.once('connected', () => resolve()));
  client.connect();
  await connected;
  return client;
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const services: LockService[] = [];
  const redlock = (tag: string) => {
    const clients = lockUrls.map((url, i) => createRedis({ url, name: `bench-${tag}-${i}`, role: 'lock' }));
    const s = new RedlockLockService(clients, {
      keyPrefix: `bench:${run}:`,
      retryCount: 100_000,
      retryDelayMs: 20,
      retryJitterMs: 10,
    });
    services.push(s);
    return s;
  };
  const zookeeper = (tag: string) => {
    const s = new ZooKeeperLockService({
      connectionString: zkUrl,
      keyPrefix: `bench:${run}:`,
      retryCount: 100_000,
      retryDelayMs: 20,
      retryJitterMs: 10,
      owner: `bench ${tag}`,
    });
    services.push(s);
    return s;
  };
  const bareRedis = createRedis({ url: lockUrls[0], name: 'bench-bare', role: 'lock' });
  const bareZk = await zkClient();
  await zkCall((cb) => bareZk.mkdirp(`/bench-${run}`, cb));
  try {
    const [r1, r2] = [redlock('a'), redlock('b')];
    const [z1, z2] = [zookeeper('a'), zookeeper('b')];
    await Promise.all([r1, r2, z1, z2].map((s) => s.ping()));
    const noop = () => Promise.resolve(undefined);

    // Warm-up: connections, JIT.
    for (let i = 0; i < 200; i++) {
      await r1.withLock(`warm-${i}`, 1_000, noop);
      await z1.withLock(`warm-${i}`, 1_000, noop);
    }

    const bareSet = await measure('bare Redis SET NX PX + DEL (1 node)', 1, async (_w, i) => {
      const key = `bench:${run}:bare:${i}`;
      if ((await bareRedis.set(key, '1', 'PX', 1_000, 'NX')) !== 'OK') throw new Error('SET NX refused');
      await bareRedis.del(key);
    });
    const bareCreate = await measure('bare ZooKeeper create + delete', 1, async (_w, i) => {
      const path = await zkCall<string>((cb) =>
        bareZk.create(`/bench-${run}/n-${i}`, CreateMode.EPHEMERAL, cb),
      );
      await zkCall((cb) => bareZk.remove(path, -1, (error) => cb(error, undefined)));
    });
    const redlockSolo = await measure('Redlock withLock, uncontended', 1, (_w, i) =>
      r1.withLock(`solo-${i % 100}`, 1_000, noop),
    );
    const zkSolo = await measure('ZooKeeper withLock, uncontended', 1, (_w, i) =>
      z1.withLock(`solo-${i % 100}`, 1_000, noop),
    );
    const redlockHot = await measure(`Redlock withLock, ${CONTENDERS} contenders on 1 key`, CONTENDERS, (w) =>
      (w % 2 ? r1 : r2).withLock('hot', 1_000, noop),
    );
    const zkHot = await measure(`ZooKeeper withLock, ${CONTENDERS} contenders on 1 key`, CONTENDERS, (w) =>
      (w % 2 ? z1 : z2).withLock('hot', 1_000, noop),
    );
    rows.push(
      bareSet,
      {
        ...redlockSolo,
        baseline: `${(bareSet.perSecond / redlockSolo.perSecond).toFixed(1)}x slower than bare SET NX`,
      },
      {
        ...redlockHot,
        baseline: `${(bareSet.perSecond / redlockHot.perSecond).toFixed(1)}x slower than bare SET NX`,
      },
      bareCreate,
      {
        ...zkSolo,
        baseline: `${(bareCreate.perSecond / zkSolo.perSecond).toFixed(1)}x slower than bare create`,
      },
      {
        ...zkHot,
        baseline: `${(bareCreate.perSecond / zkHot.perSecond).toFixed(1)}x slower than bare create`,
      },
    );

    console.log(
      `\n${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    console.log(
      `${DURATION_MS / 1_000}s per scenario; Redlock over ${lockUrls.length} Redis nodes, ZooKeeper at ${zkUrl}\n`,
    );
    const header = ['scenario', 'ops', 'locks/s', 'p50 ms', 'p99 ms', 'vs baseline'];
    const table = rows.map((r) => [
      r.scenario,
      String(r.ops),
      r.perSecond.toFixed(0),
      r.p50.toFixed(2),
      r.p99.toFixed(2),
      r.baseline ?? 'baseline',
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
    for (const row of [header, ...table])
      console.log(row.map((cell, i) => cell.padEnd(widths[i])).join('  '));
    console.log(
      `\nRedlock vs ZooKeeper, uncontended: ${(redlockSolo.perSecond / zkSolo.perSecond).toFixed(2)}x the locks/s; contended: ${(redlockHot.perSecond / zkHot.perSecond).toFixed(2)}x`,
    );
    console.log(
      'ratios, not absolute numbers, are what to compare: the load generator shares the cores with the servers.',
    );
    // Invariants: every scenario did work.
    for (const row of rows) if (row.ops === 0) throw new Error(`${row.scenario}: no operation completed`);
  } finally {
    await Promise.all(services.map((s) => s.drain(1_000)));
    bareRedis.disconnect();
    bareZk.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
