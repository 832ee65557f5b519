// Kafka client factory and topic set-up shared by every service and by infra/local.
import { Kafka, logLevel as LogLevel, type Admin, type LogEntry, type logCreator } from 'kafkajs';

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

/** One compact stderr line per kafkajs log entry instead of its default JSON dump. */
const quietLogCreator: logCreator =
  () =>
  ({ namespace, level, log }: LogEntry) => {
    const { message, error } = log as { message: string; error?: string };
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

/** Creates the topics that do not exist yet (broker auto-create is off); existing ones are left alone. */
export async function ensureTopics(
  admin: Admin,
  names: readonly string[],
  partitions: number,
): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = [...new Set(names)].filter((name) => !existing.has(name));
  if (missing.length === 0) return [];
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({ topic, numPartitions: partitions })),
    });
  } catch (err) {
    // Another process may have created them in between: fine as long as they exist now.
    const now = new Set(await admin.listTopics());
    if (!missing.every((t) => now.has(t))) throw err;
  }
  return missing;
}
