// A WAN link: a TCP hop that makes a loopback connection behave like one across a continent.
// Every chunk is forwarded after the one-way delay, in order, in both directions, and a new
// connection pays one extra round trip before its first byte (the TCP handshake over the WAN).
// It stands between a regional edge and the origin side, so the edge's misses cost what they cost
// far from the origin while its hits stay local. It emulates latency only (no loss, no bandwidth
// cap), and needs no privileges (unlike tc netem), so the same program runs natively and in compose.
import net from 'node:net';

export interface WanLinkOptions {
  /** Listen address; 127.0.0.1 unless told. */
  host?: string;
  port: number;
  target: { host: string; port: number };
  /** Added round-trip time: each direction is delayed by half of it. */
  rttMs: number;
}

export interface WanLink {
  url: string;
  port: number;
  rttMs: number;
  /** Connections accepted so far (an edge's keep-alive pool reuses them). */
  connections(): number;
  stop(): Promise<void>;
}

/**
 * Forwards chunks from `from` to `to`, each no earlier than `delayMs` after it arrived, strictly in
 * order: one FIFO and one timer per direction (separate timers per chunk could fire out of order).
 */
function pipeDelayed(from: net.Socket, to: net.Socket, delayMs: number, firstExtraMs: number): void {
  const queue: { at: number; chunk?: Buffer }[] = [];
  let timer: NodeJS.Timeout | undefined;
  let notBefore = Date.now() + firstExtraMs;
  const drain = () => {
    timer = undefined;
    while (queue.length > 0 && queue[0].at <= Date.now()) {
      const { chunk } = queue.shift()!;
      if (to.destroyed) return;
      if (chunk) to.write(chunk);
      else to.end();
    }
    if (queue.length > 0) timer = setTimeout(drain, queue[0].at - Date.now());
  };
  const push = (chunk?: Buffer) => {
    notBefore = Math.max(Date.now() + delayMs, notBefore);
    queue.push({ at: notBefore, chunk });
    timer ??= setTimeout(drain, queue[0].at - Date.now());
  };
  from.on('data', (chunk: Buffer) => push(chunk));
  from.on('end', () => push());
}

export function validateWanLink(options: WanLinkOptions): void {
  if (!Number.isInteger(options.rttMs) || options.rttMs < 0 || options.rttMs > 10_000)
    throw new Error(`wan link: rttMs must be an integer from 0 to 10000 (got ${options.rttMs})`);
  for (const [what, port] of [
    ['port', options.port],
    ['target port', options.target.port],
  ] as const)
    if (!Number.isInteger(port) || port < 0 || port > 65_535)
      throw new Error(`wan link: ${what} ${port} is not a port`);
}

export async function startWanLink(options: WanLinkOptions): Promise<WanLink> {
  validateWanLink(options);
  const host = options.host ?? '127.0.0.1';
  const oneWay = Math.floor(options.rttMs / 2);
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    accepted++;
    const upstream = net.connect({ ...options.target, allowHalfOpen: true });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.setNoDelay(true);
      s.on('close', () => sockets.delete(s));
    }
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', () => setTimeout(() => upstream.destroy(), oneWay));
    upstream.on('close', () => setTimeout(() => client.destroy(), oneWay));
    // The client's first bytes wait for the handshake across the link: one round trip.
    pipeDelayed(client, upstream, oneWay, options.rttMs);
    pipeDelayed(upstream, client, oneWay, 0);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    rttMs: options.rttMs,
    connections: () => accepted,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
