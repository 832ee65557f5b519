import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { createKafka } from '@sdp/messaging';
import { createRedis, waitForRedis } from '@sdp/redis';
import { consumerGroups, redisNodes, topics as stackTopics } from '@sdp/topology';
import type { Redis } from 'ioredis';
import { logLevel, type Admin } from 'kafkajs';
import { DataSource } from 'typeorm';
import { CONTROL_CONFIG, type ControlConfig } from '../config';
import type { Figure } from './replica-figures';

// The servers' own figures, asked of each server directly: Redis INFO per node, Kafka's committed
// offsets against the log ends (consumer lag) and its dead-letter topics' depth, Postgres' activity
// view, and the two nginx instances' health location.

export interface ServerReading {
  id: string;
  up: boolean;
  figures: Figure[];
  /** Totals kept for rates between two readings (e.g. Postgres commits). */
  totals?: Record<string, number>;
  error?: string;
}

export const parseRedisInfo = (text: string): Record<string, string> =>
  Object.fromEntries(
    text
      .split(/\r?\n/)
      .filter((line) => line && !line.startsWith('#') && line.includes(':'))
      .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1)]),
  );

/** Keys in db0 from INFO keyspace (`db0:keys=12,expires=3,avg_ttl=0`). */
const keysOf = (info: Record<string, string>): number => Number(/keys=(\d+)/.exec(info.db0 ?? '')?.[1] ?? 0);

export function redisFigures(role: 'cache' | 'lock', info: Record<string, string>): Figure[] {
  const ops = {
    label: 'ops/s',
    value: info.instantaneous_ops_per_sec ?? '0',
    source: 'INFO stats instantaneous_ops_per_sec',
  };
  if (role === 'cache') {
    const hits = Number(info.keyspace_hits ?? 0);
    const misses = Number(info.keyspace_misses ?? 0);
    return [
      {
        label: 'hit ratio',
        value: hits + misses > 0 ? `${((100 * hits) / (hits + misses)).toFixed(1)} %` : '–',
        source: 'INFO stats keyspace_hits / (keyspace_hits + keyspace_misses)',
      },
      { label: 'memory', value: info.used_memory_human ?? '?', source: 'INFO memory used_memory_human' },
      ops,
      { label: 'keys', value: String(keysOf(info)), source: 'INFO keyspace db0' },
    ];
  }
  return [
    ops,
    { label: 'keys (locks held)', value: String(keysOf(info)), source: 'INFO keyspace db0' },
    { label: 'clients', value: info.connected_clients ?? '?', source: 'INFO clients connected_clients' },
  ];
}

/** Lag of one group: log end minus committed offset, summed over the partitions it has committed on. */
export function groupLag(
  committed: { topic: string; partitions: { partition: number; offset: string }[] }[],
  ends: Map<string, Map<number, number>>,
): number {
  let lag = 0;
  for (const { topic, partitions } of committed)
    for (const { partition, offset } of partitions) {
      const at = Number(offset);
      const end = ends.get(topic)?.get(partition);
      if (at >= 0 && end !== undefined) lag += Math.max(0, end - at);
    }
  return lag;
}

@Injectable()
export class ServerProbes implements OnApplicationShutdown {
  private readonly redis = new Map<string, Redis>();
  private readonly admin: Admin;
  private adminConnected: Promise<void> | undefined;

  constructor(
    @Inject(CONTROL_CONFIG) private readonly config: ControlConfig,
    private readonly dataSource: DataSource,
  ) {
    const urls = new Map<string, string>([
      [redisNodes.find((n) => n.role === 'cache')!.name, config.REDIS_CACHE_URL],
    ]);
    redisNodes
      .filter((n) => n.role === 'lock')
      .forEach((node, i) => {
        const url = config.REDIS_LOCK_URLS[i];
        if (url) urls.set(node.name, url);
      });
    for (const [name, url] of urls)
      this.redis.set(name, createRedis({ url, name: `${config.INSTANCE_ID}-probe-${name}`, role: 'cache' }));
    this.admin = createKafka({
      clientId: `${config.INSTANCE_ID}-probe`,
      brokers: config.KAFKA_BROKERS,
      logLevel: logLevel.NOTHING,
      retries: 0,
    }).admin();
  }

  async readAll(): Promise<ServerReading[]> {
    return Promise.all([
      this.nginx('edge', this.config.EDGE_URL),
      this.nginx('lb', this.config.LB_URL),
      ...redisNodes.map((node) => this.redisNode(node.name, node.role)),
      this.kafka(),
      this.postgres(),
    ]);
  }

  private async nginx(id: string, url: string): Promise<ServerReading> {
    try {
      const response = await fetch(`${url}/nginx-health`, {
        signal: AbortSignal.timeout(this.config.SCRAPE_TIMEOUT_MS),
      });
      return { id, up: response.ok, figures: [] };
    } catch (error) {
      return { id, up: false, figures: [], error: String(error) };
    }
  }

  private async redisNode(id: string, role: 'cache' | 'lock'): Promise<ServerReading> {
    const client = this.redis.get(id);
    if (!client) return { id, up: false, figures: [], error: 'no URL configured for this node' };
    try {
      // A client still (re)connecting is not a node down: give it the scrape timeout to get ready.
      if (client.status !== 'ready') await waitForRedis(client, this.config.SCRAPE_TIMEOUT_MS);
      return { id, up: true, figures: redisFigures(role, parseRedisInfo(await client.info())) };
    } catch (error) {
      return { id, up: false, figures: [], error: String(error) };
    }
  }

  private async kafka(): Promise<ServerReading> {
    const prefix = this.config.KAFKA_TOPIC_PREFIX;
    try {
      this.adminConnected ??= this.admin.connect().catch((error: unknown) => {
        this.adminConnected = undefined;
        throw error;
      });
      await this.adminConnected;
      // This stack's topics only (the topology's, with the stack's prefix): a shared broker may hold
      // hundreds of other stacks' topics.
      const wanted = new Set(stackTopics.map((t) => `${prefix}${t}`));
      const topics = (await this.admin.listTopics()).filter((t) => wanted.has(t));
      const ends = new Map<string, Map<number, number>>();
      let dlqDepth = 0;
      await Promise.all(
        topics.map(async (topic) => {
          const offsets = await this.admin.fetchTopicOffsets(topic);
          ends.set(topic, new Map(offsets.map((o) => [o.partition, Number(o.high)])));
          if (topic.endsWith('.dlq'))
            dlqDepth += offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
        }),
      );
      const groups = Object.values(consumerGroups).flatMap((g) => Object.values(g) as string[]);
      const lags = await Promise.all(
        groups.map(async (group) =>
          groupLag(await this.admin.fetchOffsets({ groupId: `${prefix}${group}` }), ends),
        ),
      );
      const figures: Figure[] = groups.map((group, i) => ({
        label: `lag ${group}`,
        value: String(lags[i]),
        source: 'log end offset − committed offset, summed over partitions (Admin.fetchOffsets)',
      }));
      figures.unshift(
        { label: 'topics', value: String(topics.length), source: 'Admin.listTopics (this stack’s prefix)' },
        {
          label: 'DLQ depth',
          value: String(dlqDepth),
          source: 'Σ high − low watermark of every *.dlq topic',
        },
      );
      return { id: 'kafka', up: true, figures };
    } catch (error) {
      // Reconnect from scratch next time: a broker restart leaves the admin client's sockets dead.
      this.adminConnected = undefined;
      await this.admin.disconnect().catch(() => undefined);
      return { id: 'kafka', up: false, figures: [], error: String(error) };
    }
  }

  private async postgres(): Promise<ServerReading> {
    try {
      const [row] = await this.dataSource.query<{ connections: number; commits: string }[]>(
        `SELECT numbackends::int AS connections, xact_commit::bigint AS commits
         FROM pg_stat_database WHERE datname = current_database()`,
      );
      return {
        id: 'postgres',
        up: true,
        figures: [
          { label: 'connections', value: String(row.connections), source: 'pg_stat_database.numbackends' },
        ],
        totals: { commits: Number(row.commits) },
      };
    } catch (error) {
      return { id: 'postgres', up: false, figures: [], error: String(error) };
    }
  }

  async onApplicationShutdown(): Promise<void> {
    for (const client of this.redis.values()) client.disconnect();
    await this.admin.disconnect().catch(() => undefined);
  }
}
