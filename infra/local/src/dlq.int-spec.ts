import { createEnvelope, createKafka, dlqTopic, ensureTopics, headers } from '@sdp/messaging';
import { testInfraEnv, uniqueName, waitFor } from '@sdp/testing';
import { readWholeTopic, replay } from './dlq';

describe('dlq tool (real Kafka)', () => {
  const kafka = createKafka({ clientId: 'dlq-int', brokers: testInfraEnv().KAFKA_BROKERS.split(',') });
  const topic = uniqueName('dlq-int');

  beforeAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [topic, dlqTopic(topic)], 3);
    await admin.disconnect();
  });

  it('lists dead letters with their reason and replays them to the original topic', async () => {
    const envelope = createEnvelope('order.placed', 'order-1', { n: 1 });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: dlqTopic(topic),
      messages: [
        {
          key: 'order-1',
          value: JSON.stringify(envelope),
          headers: {
            [headers.dlqReason]: 'handler failed after 4 attempts: db down',
            [headers.dlqTopic]: topic,
          },
        },
        {
          key: 'x',
          value: '{not json',
          headers: { [headers.dlqReason]: 'invalid JSON', [headers.dlqTopic]: topic },
        },
      ],
    });
    await producer.disconnect();

    const letters = await readWholeTopic(kafka, dlqTopic(topic));
    expect(letters.map((l) => [l.eventId, l.reason, l.originalTopic])).toEqual(
      expect.arrayContaining([
        [envelope.id, 'handler failed after 4 attempts: db down', topic],
        [undefined, 'invalid JSON', topic],
      ]),
    );

    const replayed: string[] = [];
    const consumer = kafka.consumer({ groupId: uniqueName('dlq-int') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void replayed.push(message.value!.toString()) });
    await expect(
      replay(
        kafka,
        letters.filter((l) => l.eventId === envelope.id),
      ),
    ).resolves.toBe(1);
    await waitFor(() => replayed.length === 1, { timeoutMs: 20_000, what: 'the replayed message' });
    await consumer.disconnect();
    expect(JSON.parse(replayed[0])).toEqual(envelope);
  });
});
