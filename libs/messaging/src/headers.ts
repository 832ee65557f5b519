// Kafka header names the project uses, in one place.
export const headers = {
  eventType: 'event-type',
  requestId: 'request-id',
  dlqReason: 'dlq-reason',
  dlqTopic: 'dlq-original-topic',
  dlqPartition: 'dlq-original-partition',
  dlqOffset: 'dlq-original-offset',
} as const;

/** The dead-letter topic for a topic: `<topic>.dlq`. */
export const dlqTopic = (topic: string): string => `${topic}.dlq`;

/** Reads a header as text (kafkajs gives Buffer, string, arrays or undefined). */
export function headerText(value: Buffer | string | (Buffer | string)[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}
