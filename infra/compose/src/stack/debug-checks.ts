// The compose tier's check of the `debug` profile (README: "Postgres, Redis and Kafka on loopback"):
// each published loopback port must lead to the real server behind it, so each probe speaks the
// first message of that server's own protocol and reads its answer. Raw sockets, not client
// libraries: Kafka advertises kafka:9092, which a client outside the network could not follow, and
// no credentials are needed to prove which server answers.
import assert from 'node:assert/strict';
import net from 'node:net';

export interface DebugPort {
  name: string;
  port: number;
  /** The first request of the server's protocol. */
  request: Buffer;
  /** True once the answer is complete and right; throws on a wrong one. */
  answered: (reply: Buffer) => boolean;
}

/** Postgres SSLRequest (length 8, code 80877103): the server answers one byte, S or N. */
const postgres: Pick<DebugPort, 'request' | 'answered'> = {
  request: Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]),
  answered: (reply) => {
    assert.match(reply.subarray(0, 1).toString('latin1'), /^[SN]$/, 'not a Postgres SSLRequest answer');
    return true;
  },
};

/** Redis inline PING: +PONG. */
const redis: Pick<DebugPort, 'request' | 'answered'> = {
  request: Buffer.from('PING\r\n'),
  answered: (reply) => {
    if (!reply.includes('\r\n')) return false;
    assert.equal(reply.toString('latin1'), '+PONG\r\n');
    return true;
  },
};

/** Kafka ApiVersions v0 (api key 18), correlation id 7, null client id: the reply echoes the id, error 0. */
const kafka: Pick<DebugPort, 'request' | 'answered'> = {
  request: Buffer.from([0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0, 7, 0xff, 0xff]),
  answered: (reply) => {
    if (reply.length < 4 || reply.length < 4 + reply.readInt32BE(0)) return false;
    assert.equal(reply.readInt32BE(4), 7, 'Kafka reply with another correlation id');
    assert.equal(reply.readInt16BE(8), 0, 'Kafka ApiVersions error code');
    return true;
  },
};

/** The debug-ports service's loopback ports (docker-compose.yml), the native stack's ports. */
export const debugPorts: DebugPort[] = [
  { name: 'postgres', port: 55432, ...postgres },
  { name: 'redis-cache', port: 56379, ...redis },
  { name: 'redis-lock-1', port: 56380, ...redis },
  { name: 'redis-lock-2', port: 56381, ...redis },
  { name: 'redis-lock-3', port: 56382, ...redis },
  { name: 'kafka', port: 59092, ...kafka },
];

/** Sends the probe's request to 127.0.0.1:port and resolves once its answer is complete. */
export function probe({ name, port, request, answered }: DebugPort, timeoutMs = 5_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let reply = Buffer.alloc(0);
    const fail = (error: Error) => {
      socket.destroy();
      reject(new Error(`${name} on 127.0.0.1:${port}: ${error.message}`));
    };
    socket.setTimeout(timeoutMs, () => fail(new Error(`no complete answer within ${timeoutMs} ms`)));
    socket.once('error', fail);
    socket.once('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => {
      reply = Buffer.concat([reply, chunk]);
      try {
        if (!answered(reply)) return;
      } catch (error) {
        fail(error as Error);
        return;
      }
      socket.destroy();
      resolve();
    });
    socket.once('end', () => fail(new Error(`closed after ${reply.length} bytes`)));
  });
}

/** True when something on this machine already listens on the port (e.g. `pnpm infra:up`). */
export function portTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
