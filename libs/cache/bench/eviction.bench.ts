// Eviction policies compared on one workload. For each policy it starts a private redis-server with a
// small memory cap, replays the SAME read-through request stream (seeded PRNG) over more keys than fit,
// and prints the hit ratio, evictions and refused writes, from the client's counts and from INFO stats.
//
// Workload: 80 % of reads follow a Zipf distribution over HOT_KEYS keys (a few keys are very popular),
// 20 % are a one-pass scan over keys never read again (a batch job, a crawler). On a miss the reader
// loads the value and SETs it with a TTL (read-through / cache-aside). LRU lets the scan push out warm
// keys; LFU keeps keys that were used often; volatile-ttl evicts the soonest-to-expire; noeviction
// refuses writes once full.
//
// Run: pnpm bench:eviction [--maxmemory 8mb] [--requests 150000] [--hot-keys 30000] [--value-bytes 512]
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { freePort } from '@sdp/testing';

const { values: args } = parseArgs({
  options: {
    maxmemory: { type: 'string', default: '8mb' },
    requests: { type: 'string', default: '150000' },
    'hot-keys': { type: 'string', default: '30000' },
    'value-bytes': { type: 'string', default: '512' },
    'scan-share': { type: 'string', default: '0.2' },
    policies: { type: 'string', default: 'allkeys-lru,allkeys-lfu,volatile-ttl,noeviction' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  console.log(`usage: pnpm bench:eviction [--maxmemory 8mb] [--requests 150000] [--hot-keys 30000]
    [--value-bytes 512] [--scan-share 0.2] [--policies allkeys-lru,allkeys-lfu,volatile-ttl,noeviction]
  hit ratio, evictions and refused writes per Redis eviction policy on one Zipf + scan workload`);
  process.exit(0);
}
const REQUESTS = Number(args.requests);
const HOT_KEYS = Number(args['hot-keys']);
const VALUE = 'x'.repeat(Number(args['value-bytes']));
const SCAN_SHARE = Number(args['scan-share']);
const BATCH = 200; // requests in flight per pipeline round trip
const ZIPF_S = 1.0;

/** mulberry32: a small seeded PRNG, so every policy sees the identical request stream. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Request i's key: a Zipf-ranked hot key, or the next key of the one-pass scan. */
function workload(): { key: string; ttl: number }[] {
  const cdf = new Float64Array(HOT_KEYS);
  let sum = 0;
  for (let rank = 0; rank < HOT_KEYS; rank++) cdf[rank] = sum += 1 / Math.pow(rank + 1, ZIPF_S);
  const random = prng(42);
  let scanned = 0;
  return Array.from({ length: REQUESTS }, () => {
    // TTLs vary (60-600 s) so volatile-ttl has an order to evict by; none expire during the run.
    const ttl = 60 + Math.floor(random() * 540);
    if (random() < SCAN_SHARE) return { key: `scan:${scanned++}`, ttl };
    const target = random() * sum;
    let lo = 0;
    let hi = HOT_KEYS - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < target) lo = mid + 1;
      else hi = mid;
    }
    return { key: `hot:${lo}`, ttl };
  });
}

async function startRedis(policy: string): Promise<{ redis: Redis; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'].concat([
      '--maxmemory',
      args.maxmemory,
      '--maxmemory-policy',
      policy,
    ]),
    { stdio: 'ignore' },
  );
  const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
  redis.on('error', () => undefined);
  for (let attempt = 0; ; attempt++) {
    try {
      await redis.connect();
      await redis.ping();
      return { redis, child };
    } catch (error) {
      if (attempt > 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

const info = async (redis: Redis, section: string): Promise<Record<string, string>> =>
  Object.fromEntries(
    (await redis.info(section))
      .split('\r\n')
      .filter((line) => line.includes(':'))
      .map((line) => line.split(':') as [string, string]),
  );

interface Result {
  policy: string;
  hits: number;
  misses: number;
  writeErrors: number;
  evicted: number;
  keys: number;
  hotHitRatio: number;
  seconds: number;
}

async function run(policy: string, requests: { key: string; ttl: number }[]): Promise<Result> {
  const { redis, child } = await startRedis(policy);
  let hits = 0;
  let misses = 0;
  let hotHits = 0;
  let hotReads = 0;
  let writeErrors = 0;
  const started = process.hrtime.bigint();
  try {
    for (let i = 0; i < requests.length; i += BATCH) {
      const batch = requests.slice(i, i + BATCH);
      const reads = await batch.reduce((p, r) => p.get(r.key), redis.pipeline()).exec();
      const load = redis.pipeline();
      let loads = 0;
      batch.forEach((r, j) => {
        const hot = r.key.startsWith('hot:');
        if (hot) hotReads++;
        if (reads?.[j]?.[1] !== null) {
          hits++;
          if (hot) hotHits++;
          return;
        }
        misses++;
        load.set(r.key, VALUE, 'EX', r.ttl); // the "database" answered; cache it
        loads++;
      });
      if (loads) {
        for (const [error] of (await load.exec()) ?? []) if (error) writeErrors++; // OOM under noeviction
      }
    }
    const stats = await info(redis, 'stats');
    const keyspace = await redis.dbsize();
    const serverHits = Number(stats.keyspace_hits);
    const serverMisses = Number(stats.keyspace_misses);
    if (serverHits !== hits || serverMisses !== misses) {
      console.warn(
        `  note: INFO says ${serverHits} hits / ${serverMisses} misses (client: ${hits} / ${misses})`,
      );
    }
    return {
      policy,
      hits,
      misses,
      writeErrors,
      evicted: Number(stats.evicted_keys),
      keys: keyspace,
      hotHitRatio: hotHits / hotReads,
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
    };
  } finally {
    redis.disconnect();
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
}

async function main(): Promise<void> {
  const requests = workload();
  const distinct = new Set(requests.map((r) => r.key)).size;
  console.log(
    `eviction benchmark: maxmemory ${args.maxmemory}, ${REQUESTS} reads, ${distinct} distinct keys ` +
      `(${HOT_KEYS} Zipf s=${ZIPF_S} + ${Math.round(SCAN_SHARE * 100)} % one-pass scan), ${VALUE.length} B values\n`,
  );
  const results: Result[] = [];
  for (const policy of args.policies.split(',')) {
    process.stdout.write(`  ${policy} ...`);
    const result = await run(policy, requests);
    results.push(result);
    process.stdout.write(` ${result.seconds.toFixed(1)} s\n`);
  }
  const pct = (n: number) => `${(n * 100).toFixed(1)} %`;
  console.log(
    '\n| policy | hit ratio | hit ratio on hot keys | evicted keys | refused writes | keys at end |',
  );
  console.log('| --- | --: | --: | --: | --: | --: |');
  for (const r of results) {
    console.log(
      `| ${r.policy} | ${pct(r.hits / (r.hits + r.misses))} | ${pct(r.hotHitRatio)} | ${r.evicted} | ${r.writeErrors} | ${r.keys} |`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
