import { randomUUID } from 'node:crypto';
import { waitFor } from '@sdp/testing';
import type { Kafka } from 'kafkajs';

/** Re-publishes every message of the topics (same key, value and headers): an at-least-once redelivery of everything. */
export async function replayTopics(kafka: Kafka, topics: string[]): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  const existing = new Set(await admin.listTopics());
  const ends = new Map<string, number>();
  for (const topic of topics.filter((t) => existing.has(t))) {
    for (const o of await admin.fetchTopicOffsets(topic)) ends.set(`${topic}/${o.partition}`, Number(o.high));
  }
  await admin.disconnect();
  const pending = new Map([...ends].filter(([, high]) => high > 0));
  const messages: {
    topic: string;
    key: Buffer | null;
    value: Buffer | null;
    headers: Record<string, Buffer | string | undefined>;
  }[] = [];
  if (pending.size > 0) {
    const consumer = kafka.consumer({ groupId: `e2e-replay-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({
      topics: [...new Set([...pending.keys()].map((k) => k.split('/')[0]))],
      fromBeginning: true,
    });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          // eslint-disable-next-line @typescript-eslint/require-await -- kafkajs expects a promise-returning handler
          eachMessage: async ({ topic, partition, message }) => {
            messages.push({
              topic,
              key: message.key,
              value: message.value,
              headers: (message.headers ?? {}) as Record<string, Buffer>,
            });
            if (Number(message.offset) >= (ends.get(`${topic}/${partition}`) ?? 0) - 1)
              pending.delete(`${topic}/${partition}`);
            if (pending.size === 0) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
  }
  const producer = kafka.producer();
  await producer.connect();
  for (const m of messages)
    await producer.send({ topic: m.topic, messages: [{ key: m.key, value: m.value, headers: m.headers }] });
  await producer.disconnect();
  return messages.length;
}

/** Waits until every consumer group of the stack has committed up to the end of its topics (lag 0). */
export async function waitForConsumersToCatchUp(kafka: Kafka, prefix: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await waitFor(
      async () => {
        const { groups } = await admin.listGroups();
        const ours = groups.map((g) => g.groupId).filter((g) => g.startsWith(prefix));
        if (ours.length === 0) return false;
        for (const groupId of ours) {
          for (const { topic, partitions } of await admin.fetchOffsets({ groupId })) {
            const ends = await admin.fetchTopicOffsets(topic);
            for (const p of partitions) {
              const high = ends.find((e) => e.partition === p.partition)?.high ?? '0';
              if (Number(high) > 0 && Number(p.offset) < Number(high)) return false;
            }
          }
        }
        return true;
      },
      { timeoutMs: 60_000, intervalMs: 500, what: 'every consumer group to reach the end of its topics' },
    );
  } finally {
    await admin.disconnect();
  }
}
