// Bids per second on one contended auction and spread over 100 auctions, BID_STRATEGY=lock vs
// BID_STRATEGY=cas, with and without a slow validation step (BID_CHECK_MS), next to the ceiling
// measured in the same run: a bare conditional UPDATE on one row in the same Postgres.
// Run: pnpm bench:auctions [-- --duration 8 --connections 20 --check-ms 5]
//
// Everything runs in one go on this machine, so compare ratios, not absolute numbers.
import path from 'node:path';
import {
  asUser,
  connectPostgres,
  freePorts,
  spawnService,
  TEST_INTERNAL_AUTH_SECRET,
  testInfraEnv,
  uniqueName,
  waitUntilReady,
  type ServiceProcess,
} from '@sdp/testing';
import { percentile } from '../test/support/checkout-client';
import { bareConditionalUpdate, machineLine, numberFlag, printLoadRows, type LoadRow } from './checkout-load';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(`usage: pnpm bench:auctions [--duration 8] [--connections 20] [--check-ms 5]
  bids per second, BID_STRATEGY=lock vs cas, on 1 contended auction and on 100 auctions, with no
  validation step and with a slow one (--check-ms), vs a bare conditional UPDATE (needs pnpm build, pnpm infra:up)`);
  process.exit(0);
}
const settings = {
  durationS: numberFlag(args, 'duration', 8),
  connections: numberFlag(args, 'connections', 20),
};
const CHECK_MS = numberFlag(args, 'check-ms', 5);
const INCREMENT = 100;
const entry = path.resolve(__dirname, '../../apps/auctions/dist/main.js');
const admin = asUser('bench-admin', 'admin');

interface BidRow extends LoadRow {
  accepted: number;
  acceptedPerSecond: number;
  casConflicts: number;
}

/** Two auctions replicas with one strategy, on a private schema, topic prefix and lock prefix. */
async function startReplicas(
  strategy: 'lock' | 'cas',
  checkMs: number,
  schema: string,
): Promise<ServiceProcess[]> {
  const ports = await freePorts(2);
  const prefix = uniqueName('bench');
  const replicas = ports.map((port, i) =>
    spawnService(`auctions-${strategy}-${i + 1}`, entry, {
      ...testInfraEnv(),
      INTERNAL_AUTH_SECRET: TEST_INTERNAL_AUTH_SECRET,
      DB_SCHEMA: schema,
      DB_POOL_SIZE: '10',
      KAFKA_TOPIC_PREFIX: `${prefix}.`,
      LOCK_KEY_PREFIX: `${prefix}:lock:`,
      PORT: String(port),
      INSTANCE_ID: `auctions-bench-${i + 1}`,
      LOG_LEVEL: 'warn',
      BID_STRATEGY: strategy,
      BID_CHECK_MS: String(checkMs),
      CLOSER_INTERVAL_MS: '600000',
    }),
  );
  await waitUntilReady(replicas[0]);
  await waitUntilReady(replicas[1]);
  return replicas;
}

async function createAuction(url: string): Promise<string> {
  const res = await fetch(`${url}/auctions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...admin },
    body: JSON.stringify({
      sku: 'SKU-000001',
      startPriceCents: 1_000,
      minIncrementCents: INCREMENT,
      endsAt: new Date(Date.now() + 86_400_000).toISOString(),
    }),
  });
  if (res.status !== 201) throw new Error(`create auction: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

async function metric(urls: string[], pattern: RegExp): Promise<number> {
  let sum = 0;
  for (const url of urls) {
    const text = await (await fetch(`${url}/metrics`)).text();
    for (const line of text.split('\n')) if (pattern.test(line)) sum += Number(line.split(' ').pop());
  }
  return sum;
}

/**
 * `connections` bidders for `durationS`, each bidding the lowest amount it believes can win (the
 * minimum from its last answer), over both replicas. On one auction they all race for the same
 * next price (contention); on 100 auctions each bidder mostly has its auction to itself.
 */
async function bidding(
  scenario: string,
  replicas: ServiceProcess[],
  auctions: string[],
  { durationS, connections }: { durationS: number; connections: number },
): Promise<BidRow> {
  const urls = replicas.map((r) => r.url);
  const conflictsBefore = await metric(urls, /^auctions_cas_conflicts_total /);
  const latencies: number[] = [];
  let accepted = 0;
  let errors = 0;
  const deadline = Date.now() + durationS * 1_000;
  const bidder = async (n: number) => {
    const user = `bidder-${n}`;
    const minimum = new Map<string, number>();
    for (let i = 0; Date.now() < deadline; i++) {
      const auction = auctions[(n + i * connections) % auctions.length];
      const amount = minimum.get(auction) ?? 1_000;
      const started = performance.now();
      const res = await fetch(`${urls[(n + i) % urls.length]}/auctions/${auction}/bids`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...asUser(user) },
        body: JSON.stringify({ amountCents: amount }),
      });
      const body = (await res.json()) as { minimumBidCents?: number };
      latencies.push(performance.now() - started);
      if (res.status === 201) {
        accepted++;
        minimum.set(auction, amount + INCREMENT);
      } else if (res.status === 409 && body.minimumBidCents) minimum.set(auction, body.minimumBidCents);
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: connections }, (_, n) => bidder(n)));
  return {
    scenario,
    perSecond: latencies.length / durationS,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors,
    accepted,
    acceptedPerSecond: accepted / durationS,
    casConflicts: (await metric(urls, /^auctions_cas_conflicts_total /)) - conflictsBefore,
  };
}

const isBidRow = (row: LoadRow): row is BidRow => 'accepted' in row;

async function main(): Promise<void> {
  const ceiling = await bareConditionalUpdate(settings);
  const rows: (LoadRow | BidRow)[] = [ceiling];
  const schema = `bench_auctions_${process.pid}`;
  try {
    for (const checkMs of [0, CHECK_MS]) {
      for (const strategy of ['lock', 'cas'] as const) {
        const replicas = await startReplicas(strategy, checkMs, schema);
        try {
          const warm = [await createAuction(replicas[0].url)];
          await bidding('warm-up', replicas, warm, { ...settings, durationS: 2 }); // JIT, pools
          const hot = [await createAuction(replicas[0].url)];
          const spread = await Promise.all(Array.from({ length: 100 }, () => createAuction(replicas[0].url)));
          const check = checkMs ? `, check ${checkMs} ms` : '';
          rows.push(await bidding(`${strategy}, 1 auction${check}`, replicas, hot, settings));
          rows.push(await bidding(`${strategy}, 100 auctions${check}`, replicas, spread, settings));
        } finally {
          await Promise.all(replicas.map((r) => r.stop()));
        }
      }
    }
  } finally {
    const db = await connectPostgres();
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.end();
  }
  console.log(`\n${machineLine()}`);
  console.log(
    `load: ${settings.connections} bidders, ${settings.durationS}s per scenario, two replicas per strategy; ` +
      `"per second" counts every answered bid (accepted or outbid)\n`,
  );
  printLoadRows(rows, '   accepted/s   cas conflicts', (row) =>
    isBidRow(row)
      ? `   ${row.acceptedPerSecond.toFixed(0).padStart(10)}   ${String(row.casConflicts).padStart(13)}`
      : '',
  );
  console.log('\nratios, not absolute numbers, are what to compare: the bidders share the 2 cores.');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
