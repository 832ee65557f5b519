// Checkout throughput on one hot SKU and spread over 100 SKUs, next to the ceiling: a bare
// conditional UPDATE on one row in the same Postgres. Run: pnpm bench:checkout [-- --duration 10]
//
// Everything runs in one go on this machine, so compare ratios, not absolute numbers.
import { setPsp, setStock } from '../test/support/checkout-client';
import { startTestStack } from '../test/support/stack';
import {
  bareConditionalUpdate,
  checkouts,
  machineLine,
  numberFlag,
  printCpuRows,
  printLoadRows,
} from './checkout-load';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(`usage: pnpm bench:checkout [--duration 10] [--connections 20] [--strategy redlock]
  checkouts per second on one hot SKU and spread over 100 SKUs vs a bare conditional UPDATE (needs pnpm build, pnpm infra:up)
  --strategy: inventory's RESERVATION_STRATEGY (redlock, conditional-update, select-for-update, redis-counter)`);
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
    const hot = await checkouts(stack, 'checkout, 1 hot SKU', () => HOT_SKU, settings);
    let next = 0;
    const spread = await checkouts(
      stack,
      'checkout, 100 SKUs',
      () => SPREAD_SKUS[next++ % SPREAD_SKUS.length],
      settings,
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
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
