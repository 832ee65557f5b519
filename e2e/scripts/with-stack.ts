// Runs a command against a private copy of the whole platform (edge, gateways, lb, every service as
// built processes) and stops it afterwards: `tsx e2e/scripts/with-stack.ts -- <command> [args...]`.
// The command gets STACK_EDGE_URL, and STOREFRONT_URL (the CDN's home-region edge, with pictures)
// + STOREFRONT_DEMO_PASSWORD for the browser test, and every region's edge in STOREFRONT_EDGE_URLS.
import { spawn } from 'node:child_process';
import { startStackWithCdn } from '../test/support/cdn-lab';
import { TEST_DEMO_PASSWORD } from '../test/support/stack';

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
  // With the CDN in front (media origin, shield, an edge per region): the storefront opens the home
  // region's edge, which serves the product pictures under /media/.
  // A short alias TTL: the architecture page's CDN scenario waits for it to expire.
  const { stack, lab, stop } = await startStackWithCdn(
    // Every anonymous read of the browser and the scenarios comes from 127.0.0.1: one rate-limit
    // key. The page tests are not about the limiter (edge.e2e-spec.ts is): lift it.
    {
      gateway: { AUTH_RATE_LIMIT_PER_MINUTE: '10000', RATE_LIMIT_PER_MINUTE: '100000' },
      payments: { PSP_FAILURE_RATE: '0' },
    },
    { aliasMaxAgeSeconds: 3 },
  );
  const edge = stack.edge!.url;
  const storefront = lab.edgeUrls[0];
  console.log(
    `stack ready at ${edge} (storefront at ${storefront}); running: ${[command, ...args].join(' ')}`,
  );
  try {
    return await new Promise<number>((resolve, reject) => {
      const child = spawn(command, args, {
        stdio: 'inherit',
        env: {
          ...process.env,
          STACK_EDGE_URL: edge,
          STOREFRONT_URL: `${storefront}/`,
          STOREFRONT_EDGE_URLS: lab.edgeUrls.join(','),
          STOREFRONT_DEMO_PASSWORD: TEST_DEMO_PASSWORD,
        },
      });
      child.on('error', reject);
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
  } finally {
    await stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
