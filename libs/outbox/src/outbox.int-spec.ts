import { createServiceDataSource } from '@sdp/database';
import { createEnvelope, createKafka, ensureTopics, EventPublisher } from '@sdp/messaging';
import { testInfraEnv, testSchema, uniqueName, waitFor } from '@sdp/testing';
import type { DataSource } from 'typeorm';
import { claimEvent } from './inbox';
import { appendToOutbox } from './outbox';
import { OutboxRelay } from './relay';
import { outboxTablesSql } from './schema';

const schema = testSchema('outbox');
const topic = uniqueName('outbox-int');

describe('outbox and inbox (real Postgres and Kafka)', () => {
  const kafka = createKafka({ clientId: 'outbox-int', brokers: testInfraEnv().KAFKA_BROKERS.split(',') });
  const publisher = new EventPublisher(kafka);
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = createServiceDataSource({
      url: testInfraEnv().DATABASE_URL,
      schema: schema.name,
      entities: [],
      migrations: [],
      applicationName: 'outbox-int',
      poolSize: 6,
    });
    await dataSource.initialize();
    await dataSource.query(`CREATE SCHEMA "${schema.name}"`);
    for (const sql of outboxTablesSql(schema.name)) await dataSource.query(sql);
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [topic], 3);
    await admin.disconnect();
    await publisher.connect();
  });

  afterAll(async () => {
    await publisher.disconnect();
    await dataSource.destroy();
    await schema.drop();
  });

  it('writes nothing to the outbox when the surrounding transaction rolls back', async () => {
    await expect(
      dataSource.transaction(async (manager) => {
        await appendToOutbox(manager, schema.name, topic, createEnvelope('test.event', 'k', {}));
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    const [{ count }] = await dataSource.query(`SELECT count(*)::int AS count FROM "${schema.name}".outbox`);
    expect(count).toBe(0);
  });

  it('publishes every row exactly once with two relays running side by side', async () => {
    const ids: string[] = [];
    await dataSource.transaction(async (manager) => {
      for (let i = 0; i < 300; i++) {
        const envelope = createEnvelope('test.event', `order-${i % 17}`, { i });
        ids.push(envelope.id);
        await appendToOutbox(manager, schema.name, topic, envelope);
      }
    });

    const seen: string[] = [];
    const consumer = kafka.consumer({ groupId: uniqueName('outbox-int') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) =>
        void seen.push((JSON.parse(message.value!.toString()) as { id: string }).id),
    });

    const relays = [1, 2].map(
      () => new OutboxRelay(dataSource, publisher, { schema: schema.name, batchSize: 20 }),
    );
    const published = await Promise.all(relays.map((relay) => relay.drain()));
    expect(published[0] + published[1]).toBe(300);
    expect(published.every((n) => n > 0)).toBe(true); // both relays did part of the work

    await waitFor(() => seen.length >= 300, { timeoutMs: 30_000, what: '300 messages' });
    await new Promise((resolve) => setTimeout(resolve, 500)); // a duplicate would arrive now
    await consumer.disconnect();
    expect(seen).toHaveLength(300);
    expect(new Set(seen)).toEqual(new Set(ids));
    const [{ pending }] = await dataSource.query(
      `SELECT count(*)::int AS pending FROM "${schema.name}".outbox WHERE published_at IS NULL`,
    );
    expect(pending).toBe(0);
  });

  it('claims an event once per consumer; a redelivery is recognised', async () => {
    const eventId = createEnvelope('test.event', 'k', {}).id;
    const claim = (consumer: string) =>
      dataSource.transaction((m) => claimEvent(m, schema.name, consumer, eventId));
    await expect(claim('payments')).resolves.toBe(true);
    await expect(claim('payments')).resolves.toBe(false);
    await expect(claim('notifications')).resolves.toBe(true);
  });
});
