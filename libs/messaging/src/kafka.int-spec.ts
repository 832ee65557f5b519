// Against the broker from `pnpm infra:up`. Each run uses fresh topics and groups.
// (testTimeout in jest.preset.js is per project, which Jest ignores, so set it here.)
import { randomUUID } from 'node:crypto';
import { kafka as kafkaTopology, kafkaBroker } from '@sdp/topology';
import { logLevel, type Admin, type Consumer, type Kafka, type KafkaMessage } from 'kafkajs';
import { createEnvelope, type EventEnvelope } from './envelope';
import { dlqTopic, headerText, headers } from './headers';
import { createKafka, ensureTopics } from './kafka';
import { createIdempotentProducer, EventPublisher } from './publisher';
import { runConsumer, type EventSubscriber } from './consumer';

const waitUntil = async (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('messaging against the local Kafka broker', () => {
  const run = randomUUID().slice(0, 8);
  const topic = `it.messaging.${run}`;
  let kafka: Kafka;
  let admin: Admin;
  let publisher: EventPublisher;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    kafka = createKafka({
      clientId: `messaging-it-${run}`,
      brokers: [kafkaBroker()],
      logLevel: logLevel.ERROR,
    });
    admin = kafka.admin();
    await admin.connect();
    const created = await ensureTopics(admin, [topic, dlqTopic(topic)], kafkaTopology.defaultPartitions);
    expect(created.sort()).toEqual([topic, dlqTopic(topic)].sort());
    expect(await ensureTopics(admin, [topic, dlqTopic(topic)], 3)).toEqual([]); // idempotent
    publisher = new EventPublisher(kafka);
    await publisher.connect();
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  afterAll(async () => {
    await publisher?.disconnect();
    await admin?.deleteTopics({ topics: [topic, dlqTopic(topic)] }).catch(() => undefined);
    await admin?.disconnect();
  });

  const subscribe = async (
    groupId: string,
    received: EventEnvelope[],
    handler?: (e: EventEnvelope) => Promise<void>,
  ) => {
    const subscriber: EventSubscriber = await runConsumer({
      kafka,
      groupId,
      topics: [topic],
      fromBeginning: true,
      retry: { retries: 2, initialDelayMs: 20, maxDelayMs: 100 },
      handler: handler ?? ((envelope) => Promise.resolve(void received.push(envelope))),
    });
    return subscriber;
  };

  /** Committed offsets of the group equal the topic's end offsets: everything handled and committed. */
  const groupCaughtUp = async (groupId: string) => {
    const [ends, [committed]] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchOffsets({ groupId, topics: [topic] }),
    ]);
    return ends.every((end) => {
      const part = committed.partitions.find((p) => p.partition === end.partition);
      return end.high === '0' ? true : part?.offset === end.high;
    });
  };

  /** Reads the DLQ topic from the start until `predicate` matches a message. */
  const readDlqUntil = async (predicate: (m: KafkaMessage) => boolean): Promise<KafkaMessage> => {
    const consumer: Consumer = kafka.consumer({ groupId: `dlq-reader-${randomUUID()}` });
    cleanups.push(() => consumer.disconnect());
    const seen: KafkaMessage[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: dlqTopic(topic), fromBeginning: true });
    await consumer.run({ eachMessage: ({ message }) => Promise.resolve(void seen.push(message)) });
    await waitUntil(() => seen.some(predicate), 'the DLQ message');
    return seen.find(predicate)!;
  };

  it('lets several replicas ensure the same new topics at once; all return with every partition led', async () => {
    const shared = Array.from({ length: 14 }, (_, i) => `it.messaging.race.${run}.${i}`).sort();
    const admins = Array.from({ length: 6 }, () => kafka.admin());
    await Promise.all(admins.map((a) => a.connect()));
    try {
      const created = await Promise.all(admins.map((a) => ensureTopics(a, shared, 3)));
      // Each topic was reported as created by at least one replica, and none failed.
      expect([...new Set(created.flat())].sort()).toEqual(shared);
      const { topics } = await admin.fetchTopicMetadata({ topics: shared });
      for (const t of topics) {
        expect(t.partitions).toHaveLength(3);
        expect(t.partitions.every((p) => p.leader >= 0)).toBe(true);
      }
    } finally {
      await admin.deleteTopics({ topics: shared }).catch(() => undefined);
      await Promise.all(admins.map((a) => a.disconnect()));
    }
  });

  it('resumes a group from its committed offset after a restart (kafkajs against this broker)', async () => {
    const groupId = `resume-${run}`;
    const first = ['a', 'b', 'c'].map((k) => createEnvelope('test.resume', `key-${k}`, { n: k }, `req-${k}`));
    await publisher.publishMany(topic, first);

    const gotFirst: EventEnvelope[] = [];
    const consumer1 = await subscribe(groupId, gotFirst);
    await waitUntil(() => gotFirst.length >= 3, 'the first three events');
    await waitUntil(() => groupCaughtUp(groupId), 'the group to commit');
    await consumer1.stop();
    expect(gotFirst.map((e) => e.id).sort()).toEqual(first.map((e) => e.id).sort());
    expect(gotFirst.find((e) => e.key === 'key-a')?.requestId).toBe('req-a');

    const second = ['d', 'e'].map((k) => createEnvelope('test.resume', `key-${k}`, { n: k }));
    await publisher.publishMany(topic, second);

    const gotSecond: EventEnvelope[] = [];
    const consumer2 = await subscribe(groupId, gotSecond);
    cleanups.push(() => consumer2.stop());
    await waitUntil(() => gotSecond.length >= 2, 'the two new events');
    await waitUntil(() => groupCaughtUp(groupId), 'the group to commit again');
    // Caught up means every message of the topic is committed: anything redelivered would be here by now.
    expect(gotSecond.map((e) => e.id).sort()).toEqual(second.map((e) => e.id).sort());
  });

  it('sends a malformed message straight to the DLQ with the reason', async () => {
    const producer = createIdempotentProducer(kafka);
    await producer.connect();
    const marker = `garbage-${randomUUID()}`;
    await producer.send({ topic, messages: [{ key: marker, value: `{not json ${marker}` }] });
    await producer.disconnect();

    let handled = 0;
    const subscriber = await subscribe(`malformed-${run}`, [], () => Promise.resolve(void handled++));
    cleanups.push(() => subscriber.stop());

    const dead = await readDlqUntil((m) => m.key?.toString() === marker);
    expect(dead.value?.toString()).toBe(`{not json ${marker}`);
    expect(headerText(dead.headers?.[headers.dlqReason])).toMatch(/^invalid JSON/);
    expect(headerText(dead.headers?.[headers.dlqTopic])).toBe(topic);
  });

  it('retries a failing handler, then dead-letters the event', async () => {
    const poison = createEnvelope('test.poison', `poison-${randomUUID()}`, { fail: true }, 'req-poison');
    await publisher.publish(topic, poison);

    const attempts: string[] = [];
    const subscriber = await subscribe(`failing-${run}`, [], (envelope) => {
      if (envelope.id !== poison.id) return Promise.resolve();
      attempts.push(envelope.id);
      return Promise.reject(new Error('downstream is down'));
    });
    cleanups.push(() => subscriber.stop());

    const dead = await readDlqUntil((m) => m.key?.toString() === poison.key);
    expect(attempts).toHaveLength(3); // first try + 2 retries
    expect(headerText(dead.headers?.[headers.dlqReason])).toBe(
      'handler failed after 3 attempts: downstream is down',
    );
    expect(headerText(dead.headers?.[headers.requestId])).toBe('req-poison');
    expect(JSON.parse(dead.value!.toString())).toEqual(poison);
  });
});
