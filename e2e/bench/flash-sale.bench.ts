// The same hot-SKU sale under each reservation strategy (inventory's RESERVATION_STRATEGY), next
// to a bare conditional UPDATE measured in the same run: throughput and latency with stock to
// spare, then a sale of few units to many buyers with its invariant checked (oversold must be 0).
// Run: pnpm bench:flash-sale [-- --duration 10 --buyers 300 --units 25 --strategies redlock,redis-counter]
import os from 'node:os';
import { reservationStrategies } from '../../apps/inventory/src/reservations/strategies/hold-strategy';
import {
  fireCheckouts,
  finalStatuses,
  percentile,
  setPsp,
  setStock,
  settledStock,
} from '../test/support/checkout-client';
import { startTestStack } from '../test/support/stack';
import {
  bareConditionalUpdate,
  checkouts,
  machineLine,
  numberFlag,
  printCpuRows,
  printLoadRows,
  processesByService,
  type LoadRow,
} from './checkout-load';
import { startCpuMeter, startMachineMeter } from './process-cpu';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(`usage: pnpm bench:flash-sale [--duration 10] [--connections 20] [--buyers 300] [--units 25] [--strategies ${reservationStrategies.join(',')}]
  per reservation strategy: hot-SKU checkouts/s, p50/p99 vs a bare conditional UPDATE, then BUYERS racing for UNITS: placed, confirmed, oversold (must be 0)
  (needs pnpm build, pnpm infra:up; exits 1 if any strategy oversold)`);
  process.exit(0);
}
const settings = {
  durationS: numberFlag(args, 'duration', 10),
  connections: numberFlag(args, 'connections', 20),
};
const BUYERS = numberFlag(args, 'buyers', 300);
const UNITS = numberFlag(args, 'units', 25);
const listAt = args.indexOf('--strategies');
const STRATEGIES = listAt >= 0 ? args[listAt + 1].split(',') : [...reservationStrategies];
for (const s of STRATEGIES)
  if (!(reservationStrategies as readonly string[]).includes(s))
    throw new Error(`--strategies: unknown strategy "${s}" (one of ${reservationStrategies.join(', ')})`);

interface Sale {
  placed: number;
  confirmed: number;
  sold: number;
  oversold: number;
  p50: number;
  p99: number;
  /** When the last unit was taken: the slowest accepted checkout's latency. */
  soldOutMs: number;
  /** The machine's busy share while the sale ran (every core, every process). */
  machineBusy: number;
  /** CPU seconds the services spent while the sale ran (all replicas; Postgres, Redis, Kafka on top). */
  servicesCpuS: number;
}

async function run(strategy: string): Promise<{ load: LoadRow; sale: Sale }> {
  const stack = await startTestStack({
    payments: { PSP_LATENCY_MS: '5', PSP_FAILURE_RATE: '0' },
    inventory: { RESERVATION_STRATEGY: strategy },
  });
  try {
    const [hot, sale] = ['SKU-000301', 'SKU-000302'];
    await setPsp(stack.urls.payments[0], { failureRate: 0, latencyMs: 5 });
    await setStock(stack.urls.inventory[0], hot, 1_000_000);
    await checkouts(stack, 'warm-up', () => hot, { ...settings, durationS: 3 });
    const load = await checkouts(stack, `${strategy}, 1 hot SKU`, () => hot, settings);

    await setStock(stack.urls.inventory[0], sale, UNITS);
    const machineBusy = startMachineMeter();
    const servicesCpu = startCpuMeter(processesByService(stack));
    const results = await fireCheckouts(stack.urls.orders, BUYERS, `sale-${strategy}`, [
      { sku: sale, quantity: 1 },
    ]);
    const busy = machineBusy();
    const cpuByService = servicesCpu();
    const accepted = results.filter((r) => r.status === 202);
    const statuses = await finalStatuses(stack.urls.orders[0], accepted);
    const stock = await settledStock(stack.urls.inventory[0], sale);
    const ms = results.map((r) => r.ms);
    return {
      load,
      sale: {
        placed: accepted.length,
        confirmed: statuses.filter((s) => s === 'CONFIRMED').length,
        sold: stock.sold,
        oversold: Math.max(0, stock.sold - UNITS, accepted.length - UNITS),
        p50: percentile(ms, 50),
        p99: percentile(ms, 99),
        soldOutMs: Math.max(0, ...accepted.map((r) => r.ms)),
        machineBusy: busy,
        servicesCpuS: Object.values(cpuByService).reduce((sum, s) => sum + s, 0),
      },
    };
  } finally {
    await stack.stop();
  }
}

async function main(): Promise<void> {
  const ceiling = await bareConditionalUpdate(settings);
  const runs: { strategy: string; load: LoadRow; sale: Sale }[] = [];
  for (const strategy of STRATEGIES) runs.push({ strategy, ...(await run(strategy)) });

  console.log(`\n${machineLine()}`);
  console.log(
    `load: ${settings.connections} connections, ${settings.durationS}s per strategy; sale: ${BUYERS} buyers for ${UNITS} units\n`,
  );
  printLoadRows([ceiling, ...runs.map((r) => r.load)]);
  console.log(
    `\n${'sale'.padEnd(22)}  placed  confirmed  sold  oversold  p50 ms  p99 ms  sold out ms  machine busy  services CPU s  CPU floor ms`,
  );
  for (const { strategy, sale } of runs)
    console.log(
      `${strategy.padEnd(22)}  ${String(sale.placed).padStart(6)}  ${String(sale.confirmed).padStart(9)}  ${String(sale.sold).padStart(4)}  ${String(sale.oversold).padStart(8)}  ${sale.p50.toFixed(0).padStart(6)}  ${sale.p99.toFixed(0).padStart(6)}  ${sale.soldOutMs.toFixed(0).padStart(11)}  ${`${(sale.machineBusy * 100).toFixed(0)}%`.padStart(12)}  ${sale.servicesCpuS.toFixed(2).padStart(14)}  ${((sale.servicesCpuS / os.cpus().length) * 1000).toFixed(0).padStart(12)}`,
    );
  console.log(
    `(CPU floor: the services' CPU for the sale divided by the cores, the earliest the last answer could leave with perfect parallelism and nothing else running; Postgres, Redis, Kafka, nginx and this client need CPU on top)`,
  );
  printCpuRows(runs.map((r) => r.load));
  const broken = runs.filter((r) => r.sale.oversold > 0 || r.sale.confirmed !== UNITS);
  if (broken.length > 0) {
    console.error(
      `\nINVARIANT BROKEN for ${broken.map((r) => r.strategy).join(', ')}: oversold, or confirmed != ${UNITS}`,
    );
    process.exit(1);
  }
  console.log(`\ninvariant held for every strategy: ${UNITS} confirmed, 0 oversold`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
