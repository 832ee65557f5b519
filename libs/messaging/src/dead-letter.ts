// The dead-letter queue: a message that cannot be handled (unparseable, or its handler kept failing)
// is copied to `<topic>.dlq` with why and where it came from, so the partition can move on and a
// person can inspect and replay it later (`pnpm dlq list`, `pnpm dlq replay <topic>`).
import type { KafkaMessage, Producer } from 'kafkajs';
import { dlqTopic, headers } from './headers';

/** Writes the message to its topic's DLQ (acks from all replicas), keeping key, value and headers. */
export async function deadLetter(
  producer: Producer,
  topic: string,
  partition: number,
  message: KafkaMessage,
  reason: string,
) {
  await producer.send({
    topic: dlqTopic(topic),
    acks: -1,
    messages: [
      {
        key: message.key,
        value: message.value,
        headers: {
          ...message.headers,
          [headers.dlqReason]: reason,
          [headers.dlqTopic]: topic,
          [headers.dlqPartition]: String(partition),
          [headers.dlqOffset]: message.offset,
        },
      },
    ],
  });
}
