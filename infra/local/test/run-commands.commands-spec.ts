// The README's run commands, run exactly as the README writes them, from outside: `pnpm stack` in a
// terminal until "stack ready", one shopper through the edge, Ctrl-C, nothing left behind; the one
// command for a fresh machine (./scripts/stack.sh) on a PATH without pnpm; infra:status/down/up.
// Needs the infrastructure up (test-all.sh starts it) and the stack's ports free.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openTerminal, type Terminal } from './support/terminal';
import {
  leftoverProcesses,
  login,
  openPorts,
  placeOrder,
  readTwice,
  setPaymentFailureRate,
  stackPorts,
} from './support/stack-checks';
import { run } from '../src/process';
import { allServers } from '../src/servers';

const repoRoot = path.resolve(__dirname, '../../..');
const READY_MS = 300_000; // a cold start builds nothing here, but 2 shared cores start 10 Node replicas
const STOP_MS = 60_000;

/** The environment a user's shell would have: none of Jest's or pnpm's (npm_config_*), no port offset. */
function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env))
    if (
      /^npm_|^pnpm_/i.test(key) ||
      ['NODE_ENV', 'JEST_WORKER_ID', 'SDP_PORT_OFFSET', 'NODE_OPTIONS'].includes(key)
    )
      delete env[key];
  return { ...env, ...extra };
}

async function stopWithCtrlC(terminal: Terminal): Promise<void> {
  terminal.ctrlC();
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([
    terminal.exited,
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(`still running ${STOP_MS / 1000}s after Ctrl-C:\n${terminal.output().slice(-2000)}`),
          ),
        STOP_MS,
      );
    }),
  ]).finally(() => clearTimeout(timer));
  console.log(`exit code after Ctrl-C: ${code}`);
  expect(terminal.output()).toContain('all replicas stopped');
  expect(terminal.output()).toContain('edge and lb (nginx) stopped');
  expect(await openPorts(stackPorts())).toEqual([]);
  expect(leftoverProcesses(repoRoot)).toEqual([]);
}

beforeAll(async () => {
  const taken = await openPorts(stackPorts());
  if (taken.length > 0)
    throw new Error(`ports ${taken.join(', ')} are in use: stop the running stack before this test`);
});

describe('pnpm stack (as the README writes it)', () => {
  let terminal: Terminal | undefined;
  afterAll(async () => {
    if (terminal && terminal.child.exitCode === null) {
      terminal.ctrlC();
      await terminal.exited;
    }
  });

  it('starts, serves a shopper through the edge, and stops on Ctrl-C leaving nothing running', async () => {
    const started = Date.now();
    terminal = openTerminal('pnpm stack', { cwd: repoRoot, env: userEnv() });
    const [, password] = await terminal.waitFor(/with password (\S+)/, READY_MS);
    await terminal.waitFor(/Ctrl-C stops the replicas/, 10_000);
    console.log(`stack ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    const console_ = terminal.output();
    expect(console_).toMatch(/stack ready: \d+ replica\(s\)/);
    expect(console_).not.toMatch(/"level":\d+/); // the JSON logs go to files, not the console

    const edge = 'http://127.0.0.1:8080';
    const productId = 1 + Math.floor(Math.random() * 20);
    const { statuses, product } = await readTwice(edge, productId);
    expect(statuses).toEqual(['MISS', 'HIT']);

    const admin = await login(edge, 'admin@example.com', password);
    await setPaymentFailureRate(edge, admin, 0); // the simulated provider declines 10 % by default
    const alice = await login(edge, 'alice@example.com', password);
    const order = await placeOrder(edge, alice, String(product.sku));
    console.log(`order ${order.orderId} for ${String(product.sku)}: ${order.status}`);
    expect(order.status).toBe('CONFIRMED');

    const logs = path.join(repoRoot, '.infra/logs');
    expect(fs.readFileSync(path.join(logs, 'orders-1.log'), 'utf8')).toMatch(/"instance":"orders-1"/);

    await stopWithCtrlC(terminal);
  });
});

describe('./scripts/stack.sh on a machine without pnpm', () => {
  it('installs pnpm, installs the dependencies, starts the stack, stops on Ctrl-C', async () => {
    // A PATH with every command of /usr/bin except pnpm, and npm's global prefix in a temporary
    // folder: the script must install pnpm itself and find it.
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'no-pnpm-'));
    const bin = path.join(tmp, 'bin');
    fs.mkdirSync(bin);
    for (const dir of ['/usr/local/bin', '/usr/bin'])
      for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : [])
        if (!/^(pnpm|pnpx|pn|pnx)$/.test(name) && !fs.existsSync(path.join(bin, name)))
          fs.symlinkSync(path.join(dir, name), path.join(bin, name));
    const env = userEnv({ PATH: `${bin}:/usr/sbin:/sbin`, NPM_CONFIG_PREFIX: path.join(tmp, 'npm-global') });
    await expect(run('bash', ['-c', 'command -v pnpm || echo none'], { env })).resolves.toMatchObject({
      stdout: 'none\n',
    });

    const terminal = openTerminal('./scripts/stack.sh', { cwd: repoRoot, env });
    try {
      await terminal.waitFor(/Ctrl-C stops the replicas/, READY_MS);
      expect(terminal.output()).toContain('Installing pnpm');
      expect(fs.existsSync(path.join(tmp, 'npm-global/bin/pnpm'))).toBe(true);
      const res = await fetch('http://127.0.0.1:8080/api/products/2');
      expect(res.status).toBe(200);
      await stopWithCtrlC(terminal);
    } finally {
      if (terminal.child.exitCode === null) terminal.ctrlC();
      await terminal.exited;
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('pnpm infra:status, infra:down, infra:up (as the README writes them)', () => {
  const pnpm = (script: string) =>
    run('bash', ['-c', `pnpm ${script}; echo "exit=$?"`], {
      cwd: repoRoot,
      env: userEnv(),
      timeoutMs: 240_000,
    });
  const exitOf = (stdout: string) => Number(/exit=(\d+)\s*$/.exec(stdout)?.[1]);

  it('status says up (exit 0); down stops every server and frees its port (status exit 3); up starts them again', async () => {
    const infraPorts = allServers().map((s) => s.port);
    const up = await pnpm('infra:status');
    expect(exitOf(up.stdout)).toBe(0);
    expect(up.stdout.match(/\bup$/gm)).toHaveLength(infraPorts.length);

    expect(exitOf((await pnpm('infra:down')).stdout)).toBe(0);
    expect(await openPorts(infraPorts)).toEqual([]);
    const down = await pnpm('infra:status');
    expect(exitOf(down.stdout)).toBe(3);
    expect(down.stdout.match(/\bdown$/gm)).toHaveLength(infraPorts.length);

    const again = await pnpm('infra:up');
    expect(exitOf(again.stdout)).toBe(0);
    expect(await openPorts(infraPorts)).toEqual(infraPorts);
    expect(exitOf((await pnpm('infra:status')).stdout)).toBe(0);
  });
});
