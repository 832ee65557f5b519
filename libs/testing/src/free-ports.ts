import { createServer } from 'node:net';

// Test servers get ports from below the kernel's ephemeral range (Linux: 32768-60999). A port picked
// there with listen(0) and released can be taken as the source port of any outbound connection from
// a parallel suite before our server binds it: CI saw an edge's nginx fail with "bind() ... Address
// already in use" that way, seconds after the port was picked. Below the range the kernel never
// hands a port out by itself. Each Jest worker walks its own slice, so parallel suites of one run
// never pick the same port; a process outside Jest (a bench, pnpm stack's helpers) uses slice 0.
// Every candidate is checked by listening on it, so a port in use is skipped, not returned.
const FIRST_PORT = 20_000;
const SLICE_SIZE = 1_500;
const SLICES = 8; // 20000-31999, under the ephemeral range's 32768

const slice = Number(process.env.JEST_WORKER_ID ?? 0) % SLICES;
const sliceStart = FIRST_PORT + slice * SLICE_SIZE;
// A random start, so two runs at once on one machine (CI and a developer's tests) rarely meet.
let cursor = Math.floor(Math.random() * SLICE_SIZE);

function nextCandidate(): number {
  cursor = (cursor + 1) % SLICE_SIZE;
  return sliceStart + cursor;
}

function isFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  return (await freePorts(1))[0];
}

/** n distinct ports nobody listens on now, from this process's slice (never handed out twice in a row). */
export async function freePorts(n: number): Promise<number[]> {
  const ports: number[] = [];
  for (let tried = 0; ports.length < n; tried++) {
    if (tried >= SLICE_SIZE) throw new Error(`no free port in ${sliceStart}-${sliceStart + SLICE_SIZE - 1}`);
    const candidate = nextCandidate();
    if (await isFree(candidate)) ports.push(candidate);
  }
  return ports;
}
