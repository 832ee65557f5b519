// Kafka client factory and topic set-up shared by every service and by infra/local.
import { Kafka, logLevel as LogLevel, type Admin, type LogEntry, type logCreator } from 'kafkajs';
import { sleep } from '@sdp/scheduling';

export interface KafkaOptions {
  clientId: string;
  brokers: string[];
  /** kafkajs log level; WARN by default so a healthy service stays quiet. */
  logLevel?: LogLevel;
  /** Retries per request before kafkajs gives up (default 8, exponential backoff up to 5 s). */
  retries?: number;
}

const levelName: Record<number, string> = {
  [LogLevel.ERROR]: 'ERROR',
  [LogLevel.WARN]: 'WARN',
  [LogLevel.INFO]: 'INFO',
  [LogLevel.DEBUG]: 'DEBUG',
};

/**
 * kafkajs warns this for every idempotent producer whose retries are bounded. Bounded on purpose:
 * a send that gives up leaves the outbox row unpublished and the relay sends it again (at least
 * once; every consumer's inbox drops the copy), where unbounded retries would stall the relay.
 */
const expectedWarnings = new Set([
  'Limiting retries for the idempotent producer may invalidate EoS guarantees',
]);

/** One compact stderr line per kafkajs log entry instead of its default JSON dump. */
const quietLogCreator: logCreator =
  () =>
  ({ namespace, level, log }: LogEntry) => {
    const { message, error } = log as { message: string; error?: string };
    if (expectedWarnings.has(message)) return;
    process.stderr.write(
      `[kafkajs] ${levelName[level] ?? level} ${namespace}: ${message}${error ? ` (${error})` : ''}\n`,
    );
  };

export function createKafka({
  clientId,
  brokers,
  logLevel = LogLevel.WARN,
  retries = 8,
}: KafkaOptions): Kafka {
  return new Kafka({
    clientId,
    brokers,
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 200, maxRetryTime: 5_000, retries },
    logLevel,
    logCreator: quietLogCreator,
  });
}

/**
 * Creates the topics that do not exist yet (broker auto-create is off) and waits until every
 * partition has a leader; existing topics are left alone. Safe to run from many replicas at once.
 *
 * kafkajs' own `waitForLeaders` gives up on the first UNKNOWN_TOPIC_OR_PARTITION, which a KRaft
 * broker answers for a moment after the controller has accepted the topic (its metadata cache
 * lags behind), so on a busy machine a service crashed at boot. We poll the metadata ourselves.
 */
export async function ensureTopics(
  admin: Admin,
  names: readonly string[],
  partitions: number,
  { timeoutMs = 60_000 }: { timeoutMs?: number } = {},
): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = [...new Set(names)].filter((name) => !existing.has(name));
  if (missing.length === 0) return [];
  try {
    await admin.createTopics({
      waitForLeaders: false,
      topics: missing.map((topic) => ({ topic, numPartitions: partitions })),
    });
  } catch (err) {
    // Another replica may have created some of them in between: that is fine.
    if (!onlyAlreadyExists(err)) throw err;
  }
  await waitForLeaders(admin, missing, timeoutMs);
  return missing;
}

function onlyAlreadyExists(err: unknown): boolean {
  const errors = (err as { errors?: { type?: string }[] }).errors;
  return Array.isArray(errors) && errors.every((e) => e.type === 'TOPIC_ALREADY_EXISTS');
}

async function waitForLeaders(admin: Admin, topics: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastProblem: string;
  for (let delayMs = 50; ; delayMs = Math.min(delayMs * 2, 1_000)) {
    try {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
      const leaderless = metadata.filter(
        (t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0),
      );
      if (leaderless.length === 0) return;
      lastProblem = `no leader yet for ${leaderless.map((t) => t.name).join(', ')}`;
    } catch (err) {
      lastProblem = (err as Error).message; // e.g. UNKNOWN_TOPIC_OR_PARTITION while metadata propagates
    }
    if (Date.now() + delayMs > deadline) {
      throw new Error(`topics ${topics.join(', ')} not ready after ${timeoutMs} ms: ${lastProblem}`);
    }
    await sleep(delayMs);
  }
}
