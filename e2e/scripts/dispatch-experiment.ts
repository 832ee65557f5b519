// pnpm experiment:dispatch — the courier-dispatch experiment of docs/courier-dispatch.md as a
// command: N confirmed orders, C couriers, D dispatchers (built delivery replicas), one SIGKILLed
// mid-assignment; prints the figures and exits 1 if an order was assigned twice, a courier carried
// two orders at once, or an order was never assigned. Needs `pnpm --filter @sdp/delivery build`
// (or `pnpm build`) and `pnpm infra:up`.
import { describeDispatch, runDispatchExperiment } from '../test/support/dispatch-experiment';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(`usage: pnpm experiment:dispatch [--orders 200] [--couriers 20] [--dispatchers 3] [--backend redlock|zookeeper|both|none]
  courier dispatch: D dispatchers match N orders to C couriers under the lock service, one killed (SIGKILL)
  mid-assignment; prints time to assign all, assignments per dispatcher, lock waits, p50/p99 wait for a courier,
  and checks 0 double assignments and every order assigned (needs pnpm build and pnpm infra:up)`);
  process.exit(0);
}

const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const count = (name: string, fallback: number, min: number): number => {
  const value = Number(flag(name, String(fallback)));
  if (!Number.isInteger(value) || value < min) {
    console.error(`--${name} must be an integer of at least ${min}`);
    process.exit(2);
  }
  return value;
};

async function main(): Promise<number> {
  const orders = count('orders', 200, 1);
  const couriers = count('couriers', 20, 1);
  const dispatchers = count('dispatchers', 3, 2);
  const backend = flag('backend', 'redlock');
  if (!['redlock', 'zookeeper', 'both', 'none'].includes(backend)) {
    console.error('--backend must be redlock, zookeeper, both or none (no locks: Postgres alone)');
    return 2;
  }
  let failed = false;
  for (const name of backend === 'both' ? ['redlock', 'zookeeper'] : [backend]) {
    const env: Record<string, string> =
      name === 'zookeeper'
        ? { LOCK_BACKEND: 'zookeeper', ZOOKEEPER_SESSION_TIMEOUT_MS: '2000' }
        : name === 'none'
          ? { DISPATCH_LOCKS: 'false' }
          : { LOCK_BACKEND: 'redlock' };
    const result = await runDispatchExperiment({
      orders,
      couriers,
      dispatchers,
      env,
      log: (line) => console.log(`[${name}] ${line}`),
    });
    console.log(describeDispatch(result, name).join('\n'));
    const problems = [
      result.assignedOrders !== result.orders &&
        `${result.orders - result.assignedOrders} order(s) never assigned`,
      result.ordersAssignedTwice > 0 && `${result.ordersAssignedTwice} order(s) assigned twice`,
      result.courierOverlaps > 0 && `${result.courierOverlaps} overlapping assignment(s) of one courier`,
      result.jobs !== result.orders && `${result.jobs} jobs for ${result.orders} orders`,
    ].filter(Boolean);
    if (problems.length > 0) {
      failed = true;
      console.error(`[${name}] FAILED: ${problems.join('; ')}`);
    } else {
      console.log(`[${name}] OK: every order assigned exactly once, no courier with two orders at a time`);
    }
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
