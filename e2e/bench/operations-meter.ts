// What one checkout costs, counted at the servers instead of estimated: the SQL statements Postgres
// ran (pg_stat_statements), the Redis commands each node ran (INFO commandstats), the Kafka messages
// written and consumed (topic and consumer-group offsets), the HTTP requests each service answered
// (its http_requests_total), and the CPU of every process on the machine that took part: the
// services, Postgres with its backends, the Redis nodes, Kafka, the lb and this load generator.
import os from 'node:os';
import { createKafka } from '@sdp/messaging';
import { connectPostgres, testInfraEnv } from '@sdp/testing';
import { Redis } from 'ioredis';
import type { TestStack } from '../test/support/stack';
import { processesByService } from './checkout-load';
import {
  infraServers,
  processTree,
  startCpuMeter,
  startMachineMeter,
  type ProcessGroup,
} from './process-cpu';

/** Counts per group (a service, a Redis node, a topic), each with what it is made of. */
export type Tally = Record<string, { total: number; parts: Record<string, number> }>;

export interface Operations {
  sql: Tally | string;
  redis: Tally;
  kafkaProduced: Tally;
  kafkaConsumed: Tally;
  http: Tally;
  /** CPU seconds by process group, and the whole machine's busy CPU seconds. */
  cpu: Record<string, number>;
}

const TRANSACTION_CONTROL = /^\s*(BEGIN|COMMIT|ROLLBACK|START TRANSACTION|SAVEPOINT|RELEASE)/i;
const HTTP_SERVICE_ROUTES = new Set(['/metrics', '/health', '/ready']);

const tallyDiff = (after: Tally, before: Tally): Tally => {
  const diff: Tally = {};
  for (const [group, { parts }] of Object.entries(after)) {
    const was = before[group]?.parts ?? {};
    const changed = Object.entries(parts)
      .map(([part, n]) => [part, n - (was[part] ?? 0)] as const)
      .filter(([, n]) => n > 0);
    if (changed.length === 0) continue;
    diff[group] = { total: changed.reduce((sum, [, n]) => sum + n, 0), parts: Object.fromEntries(changed) };
  }
  return diff;
};

/** The difference, or the reason there are no counts. */
const sqlDiff = (after: Tally | string, before: Tally | string): Tally | string => {
  if (typeof after === 'string') return after;
  if (typeof before === 'string') return before;
  return tallyDiff(after, before);
};

const add = (tally: Tally, group: string, part: string, n: number): void => {
  const entry = (tally[group] ??= { total: 0, parts: {} });
  entry.parts[part] = (entry.parts[part] ?? 0) + n;
  entry.total += n;
};

/**
 * SQL statements by the stack's service whose schema they name; BEGIN/COMMIT cannot be attributed.
 * pg_stat_statements is loaded by the local Postgres (`pnpm infra:up`); a server started without it
 * gives a reason instead of counts.
 */
async function sqlStatements(stack: TestStack): Promise<Tally | string> {
  const db = await connectPostgres();
  try {
    await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    const { rows } = await db.query<{ query: string; calls: string }>(
      `SELECT query, calls FROM pg_stat_statements
        WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    const schemas = Object.entries(stack.schemas);
    const tally: Tally = {};
    for (const { query, calls } of rows) {
      const owner =
        schemas.find(([, schema]) => query.includes(`"${schema}"`) || query.includes(`${schema}.`))?.[0] ??
        (TRANSACTION_CONTROL.test(query) ? 'BEGIN/COMMIT' : undefined);
      if (owner) add(tally, owner, query.replace(/\s+/g, ' ').slice(0, 160), Number(calls));
    }
    return tally;
  } catch (err) {
    return `no SQL counts: ${(err as Error).message} (restart the infrastructure with pnpm infra:down && pnpm infra:up)`;
  } finally {
    await db.end();
  }
}

/** Commands each Redis node ran, by command, from INFO commandstats. */
async function redisCommands(): Promise<Tally> {
  const env = testInfraEnv();
  const nodes = {
    cache: env.REDIS_CACHE_URL,
    ...Object.fromEntries(env.REDIS_LOCK_URLS.split(',').map((url, i) => [`lock-${i + 1}`, url])),
  };
  const tally: Tally = {};
  for (const [name, url] of Object.entries(nodes)) {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      for (const [, command, calls] of (await redis.info('commandstats')).matchAll(
        /cmdstat_([^:]+):calls=(\d+)/g,
      ))
        if (command !== 'info') add(tally, name, command, Number(calls));
    } finally {
      redis.disconnect();
    }
  }
  return tally;
}

/** Messages written to each of the stack's topics, and committed by each of its consumer groups. */
async function kafkaMessages(stack: TestStack): Promise<{ produced: Tally; consumed: Tally }> {
  const admin = createKafka({
    clientId: 'bench-operations',
    brokers: testInfraEnv().KAFKA_BROKERS.split(','),
  }).admin();
  await admin.connect();
  const unprefixed = (name: string) => name.slice(stack.topicPrefix.length);
  try {
    const produced: Tally = {};
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(stack.topicPrefix));
    for (const topic of topics)
      for (const { partition, high } of await admin.fetchTopicOffsets(topic))
        add(produced, unprefixed(topic), String(partition), Number(high));
    const consumed: Tally = {};
    const { groups } = await admin.listGroups();
    for (const { groupId } of groups.filter((g) => g.groupId.startsWith(stack.topicPrefix)))
      for (const { topic, partitions } of await admin.fetchOffsets({ groupId }))
        for (const { partition, offset } of partitions)
          add(
            consumed,
            unprefixed(groupId),
            `${unprefixed(topic)}/${partition}`,
            Math.max(0, Number(offset)),
          );
    return { produced, consumed };
  } finally {
    await admin.disconnect();
  }
}

/** HTTP requests each service answered (every replica's http_requests_total), health and metrics left out. */
async function httpRequests(stack: TestStack): Promise<Tally> {
  const tally: Tally = {};
  for (const [service, urls] of Object.entries(stack.urls))
    for (const url of urls) {
      const text = await (await fetch(`${url}/metrics`)).text();
      for (const [, method, route, calls] of text.matchAll(
        /^http_requests_total\{method="([^"]+)",route="([^"]*)",status="[^"]+"\} (\d+)/gm,
      ))
        if (!HTTP_SERVICE_ROUTES.has(route)) add(tally, service, `${method} ${route}`, Number(calls));
    }
  return tally;
}

/** The processes that serve a checkout besides the services, by name, with their children (Postgres backends, nginx workers). */
function infrastructureProcesses(stack: TestStack): Record<string, ProcessGroup> {
  return {
    postgres: infraServers('postgres'),
    redis: infraServers('redis-cache', 'redis-lock-1', 'redis-lock-2', 'redis-lock-3'),
    kafka: infraServers('kafka'),
    lb: processTree(stack.lb.pid),
    'load generator': [process.pid],
  };
}

async function count(stack: TestStack): Promise<Omit<Operations, 'cpu'>> {
  const [sql, redis, kafka, http] = await Promise.all([
    sqlStatements(stack),
    redisCommands(),
    kafkaMessages(stack),
    httpRequests(stack),
  ]);
  return { sql, redis, kafkaProduced: kafka.produced, kafkaConsumed: kafka.consumed, http };
}

/** Starts counting; the returned function gives what the stack did since, once its consumers have caught up. */
export async function startOperationsMeter(stack: TestStack): Promise<() => Promise<Operations>> {
  const cpu = startCpuMeter({ ...processesByService(stack), ...infrastructureProcesses(stack) });
  const machine = startMachineMeter();
  const started = performance.now();
  const before = await count(stack);
  return async () => {
    const after = await count(stack);
    const busySeconds = (machine() * (performance.now() - started) * os.cpus().length) / 1_000;
    return {
      sql: sqlDiff(after.sql, before.sql),
      redis: tallyDiff(after.redis, before.redis),
      kafkaProduced: tallyDiff(after.kafkaProduced, before.kafkaProduced),
      kafkaConsumed: tallyDiff(after.kafkaConsumed, before.kafkaConsumed),
      http: tallyDiff(after.http, before.http),
      cpu: { ...cpu(), machine: busySeconds },
    };
  };
}

const perCheckout = (n: number, checkouts: number) => (n / Math.max(checkouts, 1)).toFixed(1);

/** "total: a 1.0, b 2.0", largest first, each divided by the accepted checkouts. */
function line(tally: Tally, checkouts: number, detail: (group: string) => string = () => ''): string {
  const groups = Object.entries(tally).sort(([, a], [, b]) => b.total - a.total);
  const total = groups.reduce((sum, [, { total: n }]) => sum + n, 0);
  return `${perCheckout(total, checkouts)}: ${groups
    .map(([group, { total: n }]) => `${group} ${perCheckout(n, checkouts)}${detail(group)}`)
    .join(', ')}`;
}

/** What one accepted checkout cost, counted at the servers; `statements` also lists every SQL statement. */
export function printOperations(
  scenario: string,
  ops: Operations,
  checkouts: number,
  statements = false,
): void {
  const { machine, ...processes } = ops.cpu;
  const infra = new Set(['postgres', 'redis', 'kafka', 'lb', 'load generator']);
  const services = Object.entries(processes).filter(([name]) => !infra.has(name));
  const servicesCpu = services.reduce((sum, [, s]) => sum + s, 0);
  const ms = (seconds: number) => perCheckout(seconds * 1_000, checkouts);
  const accounted = Object.values(processes).reduce((sum, s) => sum + s, 0);
  const commandsOf = (group: string) => {
    const parts = Object.entries(ops.redis[group]?.parts ?? {})
      .filter(([, n]) => n / Math.max(checkouts, 1) >= 0.05)
      .sort(([, a], [, b]) => b - a);
    return ` (${parts.map(([command, n]) => `${command} ${perCheckout(n, checkouts)}`).join(', ')})`;
  };
  console.log(
    `\n${scenario}: per accepted checkout (${checkouts}), counted until every consumer group caught up`,
  );
  console.log(
    `  CPU ms      ${ms(machine)} machine = services ${ms(servicesCpu)} + ${[...infra]
      .map((name) => `${name} ${ms(processes[name] ?? 0)}`)
      .join(' + ')} + rest ${ms(Math.max(0, machine - accounted))}`,
  );
  console.log(`  SQL         ${typeof ops.sql === 'string' ? ops.sql : line(ops.sql, checkouts)}`);
  console.log(`  Redis       ${line(ops.redis, checkouts, commandsOf)}`);
  console.log(`  Kafka out   ${line(ops.kafkaProduced, checkouts)}`);
  console.log(`  Kafka in    ${line(ops.kafkaConsumed, checkouts)}`);
  console.log(`  HTTP        ${line(ops.http, checkouts)}`);
  if (typeof ops.sql !== 'string') {
    const statementsRun = Object.values(ops.sql).reduce((sum, { total }) => sum + total, 0);
    console.log(
      `  Postgres    ${((processes.postgres * 1_000) / Math.max(statementsRun, 1)).toFixed(3)} ms of CPU per statement`,
    );
  }
  if (!statements || typeof ops.sql === 'string') return;
  for (const [service, { parts }] of Object.entries(ops.sql)) {
    console.log(`  ${service}:`);
    for (const [query, n] of Object.entries(parts).sort(([, a], [, b]) => b - a))
      console.log(`    ${perCheckout(n, checkouts).padStart(6)}  ${query}`);
  }
}
