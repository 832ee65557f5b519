// Runs a command against a private copy of the whole platform (edge, gateways, lb, every service as
// built processes) and stops it afterwards: `tsx e2e/scripts/with-stack.ts -- <command> [args...]`.
// The command gets STACK_EDGE_URL, and STOREFRONT_URL + STOREFRONT_DEMO_PASSWORD for the browser test.
import { spawn } from 'node:child_process';
import { startTestStack, TEST_DEMO_PASSWORD } from '../test/support/stack';

async function main(): Promise<number> {
  const separator = process.argv.indexOf('--');
  const [command, ...args] = separator >= 0 ? process.argv.slice(separator + 1) : [];
  if (!command || process.argv.includes('--help')) {
    // `pnpm test:storefront --help` lands here too: say what it does rather than start a stack.
    console.log(
      'usage: with-stack.ts -- <command> [args...]\n  starts a private full stack (edge, gateways, lb, services), runs the command against it, stops it',
    );
    return command ? 0 : 2;
  }
  console.log('starting a private stack (edge, gateways, lb, services)...');
  const stack = await startTestStack(
    { gateway: { AUTH_RATE_LIMIT_PER_MINUTE: '10000' }, payments: { PSP_FAILURE_RATE: '0' } },
    { proxies: true },
  );
  const edge = stack.edge!.url;
  console.log(`stack ready at ${edge}; running: ${[command, ...args].join(' ')}`);
  try {
    return await new Promise<number>((resolve, reject) => {
      const child = spawn(command, args, {
        stdio: 'inherit',
        env: {
          ...process.env,
          STACK_EDGE_URL: edge,
          STOREFRONT_URL: `${edge}/`,
          STOREFRONT_DEMO_PASSWORD: TEST_DEMO_PASSWORD,
        },
      });
      child.on('error', reject);
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
  } finally {
    await stack.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
