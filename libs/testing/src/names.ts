import { randomBytes } from 'node:crypto';

/** A name no other test file will use: schemas, Redis key prefixes, Kafka topics, consumer groups. */
export const uniqueName = (prefix: string): string =>
  `${prefix}_${randomBytes(4).toString('hex')}`.toLowerCase();
