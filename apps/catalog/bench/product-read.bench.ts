// Catalog read benchmark: how much does the Redis cache buy on GET /products/:id, and how far is a
// cache hit from the cheapest possible HTTP answer on this machine?
//
// Three targets, each in its own process, loaded one at a time with the same autocannon settings:
//   cache hit    catalog with the cache on, the product already in Redis (X-Cache: HIT)
//   forced miss  catalog with PRODUCT_CACHE_ENABLED=false: every read goes to Postgres (X-Cache: BYPASS)
//   bare http    a plain Node `http` server returning the same bytes (the ceiling for this machine)
//
// Run: pnpm build && pnpm bench:catalog [--duration 10] [--warmup 3] [--connections 20] [--product 42]
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { freePort } from '@sdp/testing';

const USAGE = `usage: pnpm bench:catalog [--duration 10] [--warmup 3] [--connections 20] [--product 42]
  GET /products/:id: cache hit vs cache off (Postgres) vs a bare Node http server, in one run (needs pnpm build)`;
const APP_DIR = path.resolve(__dirname, '..');
const MAIN_JS = path.join(APP_DIR, 'dist', 'main.js');
const BARE_SERVER = path.join(__dirname, 'bare-http-server.ts');

// A schema and key prefix of the benchmark's own: it never touches the dev data or the tests' keys.
// The app migrates and seeds the schema at boot; keeping it between runs just makes later boots faster.
const BENCH_SCHEMA = 'bench_catalog';
const BENCH_CACHE_PREFIX = 'bench_catalog';

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 5_000;

interface Options {
  duration: number;
  warmup: number;
  connections: number;
  productId: number;
}

interface Target {
  name: string;
  url: string;
  /** The X-Cache value every response must carry; undefined for the bare server, which sends none. */
  expectedXCache?: string;
}

interface Measurement {
  target: Target;
  result: autocannon.Result;
}

// ---------------------------------------------------------------------------------------------
// Options

function parseOptions(argv: string[]): Options {
  // `pnpm bench:catalog -- --duration 5` forwards the `--` too; drop it so the flags still parse.
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  const { values } = parseArgs({
    args,
    options: {
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      connections: { type: 'string', default: '20' },
      product: { type: 'string', default: '42' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  return {
    duration: positiveInt('--duration', values.duration),
    warmup: positiveInt('--warmup', values.warmup),
    connections: positiveInt('--connections', values.connections),
    productId: positiveInt('--product', values.product),
  };
}

function positiveInt(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} must be a positive integer, got "${value}"`);
  return n;
}

// ---------------------------------------------------------------------------------------------
// Child processes: every one we start is registered here so that any exit path stops it.

const children = new Set<ChildProcess>();
let stopping: Promise<void> | undefined;

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** SIGTERM (the catalog closes Postgres, Redis and Kafka cleanly on it), then SIGKILL if it hangs. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Idempotent: the normal path, an error and Ctrl-C may all ask for it. */
function stopAll(): Promise<void> {
  stopping ??= Promise.all([...children].map(stopChild)).then(() => undefined);
  return stopping;
}

function stopOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping the benchmark's processes...`);
      void stopAll().finally(() => process.exit(130));
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Starting the targets

function assertBuilt(): void {
  if (!existsSync(MAIN_JS)) {
    throw new Error(`${MAIN_JS} is missing: run \`pnpm build\` (from the repo root) first.`);
  }
}

/** Keeps the last lines a child printed, to show them if it fails to start. */
function captureOutput(child: ChildProcess, maxLines = 40): () => string {
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - maxLines));
  };
  // Reading both pipes also keeps a chatty child from blocking on a full pipe.
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => lines.join('\n');
}

async function startCatalog(
  name: string,
  cacheEnabled: boolean,
  infraEnv: Record<string, string>,
): Promise<string> {
  const port = await freePort();
  const env = {
    ...process.env,
    ...infraEnv,
    HOST: '127.0.0.1',
    PORT: String(port),
    INSTANCE_ID: `bench-${name}`,
    // Required by the catalog (admin writes); the bench only reads, so any long enough value works.
    INTERNAL_AUTH_SECRET: process.env.INTERNAL_AUTH_SECRET ?? 'bench-internal-secret-0123456789abcdef',
    LOG_LEVEL: 'warn', // per-request logging would be part of what we measure
    DB_SCHEMA: BENCH_SCHEMA,
    CACHE_KEY_PREFIX: BENCH_CACHE_PREFIX,
    PRODUCT_CACHE_ENABLED: String(cacheEnabled),
    // Far longer than any run, so the product cannot expire (and turn into a MISS) mid-measurement.
    PRODUCT_CACHE_TTL_SECONDS: '3600',
  };
  const child = track(spawn(process.execPath, [MAIN_JS], { cwd: APP_DIR, env, stdio: 'pipe' }));
  const output = captureOutput(child);
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitReady(`catalog (${name})`, baseUrl, child, output);
  return baseUrl;
}

/** Polls /ready until it answers 200; fails fast if the process dies, with what it printed. */
async function waitReady(label: string, baseUrl: string, child: ChildProcess, output: () => string) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `${label} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output()}`,
      );
    }
    try {
      const res = await fetch(`${baseUrl}/ready`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
      last = `HTTP ${res.status}: ${await res.text()}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(250);
  }
  throw new Error(
    `${label} was not ready at ${baseUrl}/ready after ${READY_TIMEOUT_MS / 1000}s (last: ${last}).\n` +
      `Is the local infra up? Check with \`pnpm infra:status\`, start it with \`pnpm infra:up\`.\n${output()}`,
  );
}

async function startBareServer(body: Buffer, contentType: string): Promise<string> {
  const child = track(
    fork(BARE_SERVER, {
      // Load the .ts file through tsx; it only hooks module loading, not the request path.
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, BENCH_BODY_BASE64: body.toString('base64'), BENCH_CONTENT_TYPE: contentType },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('bare http server did not start in 10s')), 10_000);
    child.once('message', (message: { port: number }) => {
      clearTimeout(timer);
      resolve(message.port);
    });
    child.once('exit', (code) => reject(new Error(`bare http server exited (${code}) before listening`)));
  });
  return `http://127.0.0.1:${port}`;
}

// ---------------------------------------------------------------------------------------------
// Checks and load

interface Sample {
  status: number;
  xCache: string | null;
  contentType: string;
  body: Buffer;
}

async function fetchOnce(url: string): Promise<Sample> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return {
    status: res.status,
    xCache: res.headers.get('x-cache'),
    contentType: res.headers.get('content-type') ?? '',
    body: Buffer.from(await res.arrayBuffer()),
  };
}

/** One request outside the load: a wrong status or X-Cache means we would be measuring the wrong thing. */
async function verify(target: Target, when: 'before' | 'after', reference: Buffer): Promise<void> {
  const sample = await fetchOnce(target.url);
  const problems: string[] = [];
  if (sample.status !== 200) problems.push(`status ${sample.status}`);
  if (target.expectedXCache && sample.xCache !== target.expectedXCache) {
    problems.push(`X-Cache ${sample.xCache ?? '(none)'}, expected ${target.expectedXCache}`);
  }
  // Same bytes everywhere, so every target does the same work on the wire.
  if (!sample.body.equals(reference))
    problems.push(`body differs from the product JSON (${sample.body.length} bytes)`);
  if (problems.length > 0) throw new Error(`${target.name} ${when} the run: ${problems.join('; ')}`);
}

async function load(target: Target, options: Options, seconds: number): Promise<autocannon.Result> {
  const instance = autocannon({
    url: target.url,
    title: target.name,
    connections: options.connections,
    pipelining: 1,
    duration: seconds,
  });
  // Ctrl-C stops the children; stop the load too so the process can exit promptly.
  const stop = () => instance.stop();
  process.once('SIGINT', stop);
  try {
    return await instance;
  } finally {
    process.off('SIGINT', stop);
  }
}

async function measure(target: Target, options: Options, reference: Buffer): Promise<Measurement> {
  await verify(target, 'before', reference);
  process.stdout.write(`${target.name.padEnd(12)} warm-up ${options.warmup}s, `);
  await load(target, options, options.warmup); // JIT, connection pools, Postgres buffers; discarded
  process.stdout.write(`measure ${options.duration}s... `);
  const result = await load(target, options, options.duration);
  await verify(target, 'after', reference);
  console.log(`${Math.round(result.requests.average)} req/s`);
  return { target, result };
}

// ---------------------------------------------------------------------------------------------
// Report

const errorCount = (r: autocannon.Result) => r.non2xx + r.errors + r.timeouts;

/** autocannon records latency in whole milliseconds, so a 0 really means "under 1 ms". */
const ms = (value: number) => (value < 1 ? '<1' : String(Math.round(value)));

/** `loadBefore`: the 1-minute load average before we started, i.e. how busy the machine was without us. */
function printMachine(options: Options, loadBefore: number): void {
  const cpus = os.cpus();
  console.log(
    `machine: ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown cpu'}), ` +
      `${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}, node ${process.version}, ` +
      `load avg before the run ${loadBefore.toFixed(2)}`,
  );
  console.log(
    `load:    autocannon, ${options.connections} connections, pipelining 1, ` +
      `${options.warmup}s warm-up + ${options.duration}s per target, one target at a time`,
  );
}

function printTable(measurements: Measurement[]): void {
  const rows = [
    ['target', 'req/s (mean)', 'p50 ms', 'p99 ms', 'errors'],
    ...measurements.map(({ target, result }) => [
      target.name,
      result.requests.average.toFixed(0),
      ms(result.latency.p50),
      ms(result.latency.p99),
      String(errorCount(result)),
    ]),
  ];
  const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => row[col].length)));
  const line = (row: string[]) =>
    row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]) : cell.padStart(widths[col]))).join('  ');
  console.log(`\n${line(rows[0])}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const row of rows.slice(1)) console.log(line(row));
}

function printRatios(hit: Measurement, miss: Measurement, bare: Measurement): void {
  const rps = (m: Measurement) => m.result.requests.average;
  console.log(`\ncache hit vs forced miss:    ${(rps(hit) / rps(miss)).toFixed(2)}x req/s`);
  console.log(`cache hit vs bare Node http: ${(rps(hit) / rps(bare)).toFixed(2)}x req/s`);
  console.log(
    '\nnote: this is a shared, noisy machine: compare the ratios, not the absolute numbers ' +
      '(the load generator and the target share its cores).',
  );
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  assertBuilt();
  // Imported only now: the workspace libs are built by `pnpm build` too, so on a fresh clone the
  // check above gives the clear message instead of a "Cannot find module".
  const { localInfraEnv } = await import('@sdp/topology');
  const infraEnv = localInfraEnv();
  const loadBefore = os.loadavg()[0];
  stopOnSignals();
  const productPath = `/products/${options.productId}`;

  console.log('starting targets...');
  // One after the other: on the first run both would otherwise migrate and seed the fresh schema at once.
  const cacheOnUrl = await startCatalog('cache-on', true, infraEnv);
  const forcedMissUrl = await startCatalog('forced-miss', false, infraEnv);

  // The product's bytes, read from Postgres; the bare server replays exactly these.
  const reference = await fetchOnce(forcedMissUrl + productPath);
  if (reference.status !== 200) {
    throw new Error(`GET ${productPath} answered ${reference.status}: ${reference.body.toString()}`);
  }
  const bareUrl = await startBareServer(reference.body, reference.contentType);

  // Put the product in Redis (this read is a MISS, or a HIT left by an earlier run).
  await fetchOnce(cacheOnUrl + productPath);

  const targets: Target[] = [
    { name: 'cache hit', url: cacheOnUrl + productPath, expectedXCache: 'HIT' },
    { name: 'forced miss', url: forcedMissUrl + productPath, expectedXCache: 'BYPASS' },
    { name: 'bare http', url: bareUrl + productPath },
  ];
  console.log(`GET ${productPath}: ${reference.body.length} bytes, ${reference.contentType}\n`);

  const measurements: Measurement[] = [];
  for (const target of targets) measurements.push(await measure(target, options, reference.body));

  console.log('');
  printMachine(options, loadBefore);
  printTable(measurements);
  printRatios(measurements[0], measurements[1], measurements[2]);
}

main()
  .catch((error: unknown) => {
    console.error(`\nbenchmark failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
