// What the run-command tests check from outside: which ports the stack uses, whether any of its
// processes survive, and one shopper's path through the edge.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { proxyPort, servicePorts, services } from '@sdp/topology';
import { isPortOpen } from '../../src/wait';

/** Every port `pnpm stack` listens on: each replica, the lb and the edge. */
export const stackPorts = (): number[] => [
  ...services.flatMap((s) => servicePorts(s)),
  proxyPort('lb'),
  proxyPort('edge'),
];

export async function openPorts(ports: readonly number[]): Promise<number[]> {
  const open = await Promise.all(ports.map((p) => isPortOpen(p)));
  return ports.filter((_, i) => open[i]);
}

/** Processes still running from this checkout's services or its stack nginx (by command line). */
export function leftoverProcesses(repoRoot: string): string[] {
  const mine = [`${repoRoot}/apps/`, `${repoRoot}/.infra/nginx/`];
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .map((pid) => {
      try {
        return `${pid}: ${fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim()}`;
      } catch {
        return ''; // exited meanwhile
      }
    })
    .filter((line) => mine.some((m) => line.includes(m)));
}

async function call(
  edge: string,
  method: string,
  path: string,
  init: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const res = await fetch(`${edge}${path}`, {
    method,
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...init.headers,
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

export async function login(edge: string, email: string, password: string): Promise<string> {
  const res = await call(edge, 'POST', '/api/auth/login', { body: { email, password } });
  if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${JSON.stringify(res.body)}`);
  return String(res.body.accessToken);
}

/** Two reads of one product through the edge: the X-Cache-Status of each. */
export async function readTwice(
  edge: string,
  productId: number,
): Promise<{ statuses: string[]; product: Record<string, unknown> }> {
  const first = await call(edge, 'GET', `/api/products/${productId}`);
  const second = await call(edge, 'GET', `/api/products/${productId}`);
  if (first.status !== 200) throw new Error(`GET /api/products/${productId}: ${first.status}`);
  return {
    statuses: [first.headers.get('x-cache-status') ?? '-', second.headers.get('x-cache-status') ?? '-'],
    product: first.body,
  };
}

/** One checkout of one unit of `sku` as the customer; resolves with the order's final status. */
export async function placeOrder(
  edge: string,
  token: string,
  sku: string,
  timeoutMs = 60_000,
): Promise<{ orderId: string; status: string }> {
  const placed = await call(edge, 'POST', '/api/checkout', {
    token,
    headers: { 'idempotency-key': randomUUID() },
    body: { items: [{ sku, quantity: 1 }] },
  });
  if (placed.status !== 202) throw new Error(`checkout: ${placed.status} ${JSON.stringify(placed.body)}`);
  const orderId = String(placed.body.orderId);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const order = await call(edge, 'GET', `/api/orders/${orderId}`, { token });
    if (order.body.status !== 'PENDING_PAYMENT' || Date.now() > deadline)
      return { orderId, status: String(order.body.status) };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export async function setPaymentFailureRate(
  edge: string,
  adminToken: string,
  failureRate: number,
): Promise<void> {
  const res = await call(edge, 'PUT', '/api/admin/psp', { token: adminToken, body: { failureRate } });
  if (res.status !== 200) throw new Error(`PUT /api/admin/psp: ${res.status} ${JSON.stringify(res.body)}`);
}
