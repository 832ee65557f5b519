// Consumes envelopes at least once: parse, hand to the handler (with retries), commit, or dead-letter.
import type { Consumer, IHeaders, Kafka } from 'kafkajs';
import { parseEnvelope, type EventEnvelope } from './envelope';
import { deadLetter } from './dead-letter';
import { createIdempotentProducer } from './publisher';
import { defaultRetryPolicy, withRetry, type RetryPolicy } from './retry';

export interface MessageContext {
  topic: string;
  partition: number;
  offset: string;
  headers: IHeaders;
}

export type EventHandler = (envelope: EventEnvelope, context: MessageContext) => Promise<void>;

export interface ConsumerOptions {
  kafka: Kafka;
  groupId: string;
  topics: readonly string[];
  handler: EventHandler;
  /** How often a failing handler is retried before the message goes to `<topic>.dlq`. */
  retry?: Partial<RetryPolicy>;
  /** Where a brand-new group starts; an existing group always resumes from its committed offsets. */
  fromBeginning?: boolean;
}

/** A running consumer; `stop()` disconnects it (uncommitted messages are redelivered to the group). */
export interface EventSubscriber {
  consumer: Consumer;
  stop(): Promise<void>;
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export async function runConsumer(options: ConsumerOptions): Promise<EventSubscriber> {
  const policy: RetryPolicy = { ...defaultRetryPolicy, ...options.retry };
  // A 10 s session (kafkajs default 30 s): when a consumer crashes, its partitions move to the
  // survivors (or its restarted self) after at most 10 s instead of half a minute.
  const consumer = options.kafka.consumer({
    groupId: options.groupId,
    sessionTimeout: 10_000,
    heartbeatInterval: 2_000,
  });
  const dlqProducer = createIdempotentProducer(options.kafka);
  await dlqProducer.connect();
  await consumer.connect();
  await consumer.subscribe({ topics: [...options.topics], fromBeginning: options.fromBeginning ?? false });

  // Offsets are committed by kafkajs, and only for messages whose handler returned: it marks each
  // one done after `eachMessage` resolves and commits what is done after every batch (and at least
  // once a second inside a long one). One commit per batch instead of one per message cut the
  // broker's CPU per checkout by 40-50% (docs/benchmarks.md); a crash redelivers at most the batch
  // in flight, which the handlers' deduplication absorbs as it absorbs any redelivery.
  await consumer.run({
    autoCommit: true,
    autoCommitInterval: 1_000,
    eachMessage: async ({ topic, partition, message, heartbeat }) => {
      const parsed = parseEnvelope(message.value);
      if (!parsed.ok) {
        await deadLetter(dlqProducer, topic, partition, message, parsed.reason);
      } else {
        const context: MessageContext = {
          topic,
          partition,
          offset: message.offset,
          headers: message.headers ?? {},
        };
        const outcome = await withRetry(() => options.handler(parsed.envelope, context), policy, heartbeat);
        if (!outcome.ok) {
          const reason = `handler failed after ${outcome.attempts} attempts: ${errorText(outcome.error)}`;
          await deadLetter(dlqProducer, topic, partition, message, reason);
        }
      }
      // Returning marks the message done (handled or safely dead-lettered). If anything above threw,
      // it is not marked, nothing after it is committed, and kafkajs redelivers it.
    },
  });

  return {
    consumer,
    async stop() {
      await consumer.disconnect();
      await dlqProducer.disconnect();
    },
  };
}
