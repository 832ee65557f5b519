// Publishes envelopes: envelope.key is the Kafka key (same key, same partition, in order), JSON value.
import { Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import { describeIssues, eventEnvelopeSchema, type EventEnvelope } from './envelope';
import { headers } from './headers';

/** An idempotent producer: broker-side dedup of retried sends, so a retry never writes a message twice. */
export const createIdempotentProducer = (kafka: Kafka): Producer =>
  kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });

export function toKafkaMessage(envelope: EventEnvelope): Message {
  const checked = eventEnvelopeSchema.safeParse(envelope);
  if (!checked.success)
    throw new Error(`refusing to publish an invalid envelope: ${describeIssues(checked.error)}`);
  const messageHeaders: Record<string, string> = { [headers.eventType]: envelope.type };
  if (envelope.requestId) messageHeaders[headers.requestId] = envelope.requestId;
  return { key: envelope.key, value: JSON.stringify(envelope), headers: messageHeaders };
}

export class EventPublisher {
  private readonly producer: Producer;

  constructor(kafka: Kafka) {
    this.producer = createIdempotentProducer(kafka);
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  /** Resolves once the broker acknowledged the write on all in-sync replicas (acks=-1). */
  async publish(topic: string, envelope: EventEnvelope): Promise<void> {
    await this.publishMany(topic, [envelope]);
  }

  async publishMany(topic: string, envelopes: readonly EventEnvelope[]): Promise<void> {
    await this.producer.send({ topic, acks: -1, messages: envelopes.map(toKafkaMessage) });
  }
}
