// `pnpm dlq list [topic...]` and `pnpm dlq replay <topic> [--event <id>]`: look into the dead-letter
// topics and send messages back to the topic they came from once the cause is fixed.
import { randomUUID } from 'node:crypto';
import { backoffDelay, createKafka, defaultRetryPolicy, dlqTopic, headers, headerText } from '@sdp/messaging';
import { sleep } from '@sdp/scheduling';
import { eventTopics, kafkaBroker } from '@sdp/topology';
import type { Kafka, KafkaMessage } from 'kafkajs';

export interface DeadLetter {
  topic: string;
  partition: number;
  offset: string;
  key: string | undefined;
  eventId: string | undefined;
  eventType: string | undefined;
  reason: string;
  originalTopic: string;
  message: KafkaMessage;
}

export function describeDeadLetter(topic: string, partition: number, message: KafkaMessage): DeadLetter {
  let eventId: string | undefined;
  let eventType: string | undefined;
  try {
    const parsed = JSON.parse(message.value?.toString() ?? '') as { id?: unknown; type?: unknown };
    eventId = typeof parsed.id === 'string' ? parsed.id : undefined;
    eventType = typeof parsed.type === 'string' ? parsed.type : undefined;
  } catch {
    // a malformed message is exactly what a DLQ holds; show what we can
  }
  const h = message.headers ?? {};
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key?.toString(),
    eventId,
    eventType,
    reason: headerText(h[headers.dlqReason]) ?? '(no reason header)',
    originalTopic: headerText(h[headers.dlqTopic]) ?? topic.replace(/\.dlq$/, ''),
    message,
  };
}

/**
 * Each partition's low and high offsets. kafkajs gives up on NOT_LEADER_FOR_PARTITION, which a KRaft
 * broker answers for a moment while leadership of a new topic settles; a new admin (fresh metadata)
 * after a short wait gets the answer. Non-retriable errors are thrown at once.
 */
async function topicOffsets(kafka: Kafka, topic: string) {
  for (let attempt = 1; ; attempt++) {
    const admin = kafka.admin();
    await admin.connect();
    try {
      return await admin.fetchTopicOffsets(topic);
    } catch (error) {
      if (!(error as { retriable?: boolean }).retriable || attempt > defaultRetryPolicy.retries + 2)
        throw error;
    } finally {
      await admin.disconnect();
    }
    await sleep(backoffDelay(attempt, defaultRetryPolicy));
  }
}

/** Reads a topic from the beginning up to its current end, without committing anything. */
export async function readWholeTopic(kafka: Kafka, topic: string): Promise<DeadLetter[]> {
  const offsets = await topicOffsets(kafka, topic);
  const remaining = new Map(
    offsets.filter((o) => BigInt(o.high) > BigInt(o.low)).map((o) => [o.partition, BigInt(o.high) - 1n]),
  );
  if (remaining.size === 0) return [];
  const found: DeadLetter[] = [];
  const consumer = kafka.consumer({ groupId: `dlq-reader-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        autoCommit: false,
        // eslint-disable-next-line @typescript-eslint/require-await -- kafkajs expects a promise-returning handler
        eachMessage: async ({ partition, message }) => {
          found.push(describeDeadLetter(topic, partition, message));
          if (BigInt(message.offset) >= (remaining.get(partition) ?? -1n)) remaining.delete(partition);
          if (remaining.size === 0) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return found.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
}

/** Publishes dead letters back to their original topic, keeping key and headers, marking the replay. */
export async function replay(kafka: Kafka, letters: readonly DeadLetter[]): Promise<number> {
  if (letters.length === 0) return 0;
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    for (const letter of letters) {
      const kept = { ...letter.message.headers };
      delete kept[headers.dlqReason];
      await producer.send({
        topic: letter.originalTopic,
        acks: -1,
        messages: [
          {
            key: letter.message.key,
            value: letter.message.value,
            headers: { ...kept, 'dlq-replayed-from': `${letter.topic}/${letter.partition}/${letter.offset}` },
          },
        ],
      });
    }
  } finally {
    await producer.disconnect();
  }
  return letters.length;
}

export const formatDeadLetters = (letters: readonly DeadLetter[]): string =>
  letters.length === 0
    ? 'no dead letters'
    : letters
        .map(
          (l) =>
            `${l.topic} p${l.partition}@${l.offset}  key=${l.key ?? '-'}  event=${l.eventId ?? '-'} (${l.eventType ?? '?'})\n    reason: ${l.reason}`,
        )
        .join('\n');

const DLQ_USAGE = `usage: pnpm dlq list [topic...] | pnpm dlq replay <topic> [--event <event id>]
  list    the dead letters of every event topic (or of the topics named), with the reason each failed
  replay  publish a DLQ's messages (or one event) back to their topic`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || rest.includes('--help')) {
    console.log(DLQ_USAGE);
    return 0;
  }
  const prefix = process.env.KAFKA_TOPIC_PREFIX ?? '';
  const kafka = createKafka({
    clientId: 'dlq-tool',
    brokers: (process.env.KAFKA_BROKERS ?? kafkaBroker()).split(','),
  });
  if (command === 'list') {
    const topics =
      rest.length > 0
        ? rest.map((t) => (t.endsWith('.dlq') ? t : dlqTopic(t)))
        : eventTopics.map((t) => dlqTopic(prefix + t));
    const admin = kafka.admin();
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    await admin.disconnect();
    for (const topic of topics) {
      if (!existing.has(topic)) console.log(`${topic}: does not exist (yet)`);
      else console.log(`${topic}:\n${formatDeadLetters(await readWholeTopic(kafka, topic))}`);
    }
    return 0;
  }
  if (command === 'replay' && rest[0]) {
    const topic = rest[0].endsWith('.dlq') ? rest[0] : dlqTopic(rest[0]);
    const eventFlag = rest.indexOf('--event');
    const only = eventFlag >= 0 ? rest[eventFlag + 1] : undefined;
    const letters = (await readWholeTopic(kafka, topic)).filter((l) => !only || l.eventId === only);
    console.log(`replayed ${await replay(kafka, letters)} message(s) from ${topic}`);
    return 0;
  }
  console.error(DLQ_USAGE);
  return 2;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
