// Checkout throughput on one hot SKU and spread over 100 SKUs, next to the ceiling: a bare
// conditional UPDATE on one row in the same Postgres. Run: pnpm bench:checkout [-- --duration 10]
//
// Everything runs in one go on this machine, so compare ratios, not absolute numbers.
import { createKafka } from '@sdp/messaging';
import { testInfraEnv } from '@sdp/testing';
import { setPsp, setStock } from '../test/support/checkout-client';
import { waitForConsumersToCatchUp } from '../test/support/kafka';
import { startTestStack } from '../test/support/stack';
import {
  bareConditionalUpdate,
  checkouts,
  machineLine,
  numberFlag,
  printCpuRows,
  printLoadRows,
  type LoadRow,
} from './checkout-load';
import { printOperations, startOperationsMeter, type Operations } from './operations-meter';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(`usage: pnpm bench:checkout [--duration 10] [--connections 20] [--strategy redlock] [--statements]
  checkouts per second on one hot SKU and spread over 100 SKUs vs a bare conditional UPDATE (needs pnpm build, pnpm infra:up)
  --strategy: inventory's RESERVATION_STRATEGY (redlock, conditional-update, select-for-update, redis-counter)
  --statements: also list every SQL statement a checkout ran, per service, with its count per checkout`);
  process.exit(0);
}
const settings = {
  durationS: numberFlag(args, 'duration', 10),
  connections: numberFlag(args, 'connections', 20),
};
const strategyAt = args.indexOf('--strategy');
const STRATEGY = strategyAt >= 0 ? args[strategyAt + 1] : 'redlock';
const HOT_SKU = 'SKU-000301';
const SPREAD_SKUS = Array.from({ length: 100 }, (_, i) => `SKU-${String(401 + i).padStart(6, '0')}`);

async function main(): Promise<void> {
  const ceiling = await bareConditionalUpdate(settings);
  const stack = await startTestStack({
    payments: { PSP_LATENCY_MS: '5', PSP_FAILURE_RATE: '0' },
    inventory: { RESERVATION_STRATEGY: STRATEGY },
  });
  try {
    await setPsp(stack.urls.payments[0], { failureRate: 0, latencyMs: 5 });
    await setStock(stack.urls.inventory[0], HOT_SKU, 1_000_000);
    for (const sku of SPREAD_SKUS) await setStock(stack.urls.inventory[0], sku, 1_000_000);
    await checkouts(stack, 'warm-up', () => HOT_SKU, { ...settings, durationS: 3 }); // JIT, pools, caches
    const kafka = createKafka({
      clientId: 'bench-checkout',
      brokers: testInfraEnv().KAFKA_BROKERS.split(','),
    });
    // Each scenario's operations are counted from a settled stack until its own saga has settled.
    const counted = async (scenario: string, pickSku: () => string): Promise<[LoadRow, Operations]> => {
      await waitForConsumersToCatchUp(kafka, stack.topicPrefix);
      const operations = await startOperationsMeter(stack);
      const row = await checkouts(stack, scenario, pickSku, settings);
      await waitForConsumersToCatchUp(kafka, stack.topicPrefix);
      return [row, await operations()];
    };
    const [hot, hotOps] = await counted('checkout, 1 hot SKU', () => HOT_SKU);
    let next = 0;
    const [spread, spreadOps] = await counted(
      'checkout, 100 SKUs',
      () => SPREAD_SKUS[next++ % SPREAD_SKUS.length],
    );
    console.log(`\n${machineLine()}`);
    console.log(
      `load: ${settings.connections} connections, ${settings.durationS}s per scenario, RESERVATION_STRATEGY=${STRATEGY}\n`,
    );
    printLoadRows([ceiling, hot, spread]);
    console.log(
      '\nratios, not absolute numbers, are what to compare: the load generator shares the 2 cores.',
    );
    printCpuRows([hot, spread]);
    console.log(
      `\nwhat one checkout costs, counted at the servers (SQL from pg_stat_statements, Redis from INFO commandstats,\nwhich also counts the calls a Lua script makes (select, get, exists, set, del under evalsha), Kafka from\ntopic and group offsets, HTTP from each service's http_requests_total, CPU from /proc):`,
    );
    const showStatements = args.includes('--statements');
    printOperations(hot.scenario, hotOps, hot.perSecond * settings.durationS, showStatements);
    printOperations(spread.scenario, spreadOps, spread.perSecond * settings.durationS, showStatements);
    console.log(
      `\nthe ceiling for comparison: ${ceiling.cpuMs?.postgres?.toFixed(3) ?? '?'} ms of Postgres CPU per bare UPDATE`,
    );
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
