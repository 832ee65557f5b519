import { kafkaServer } from './kafka';
import { postgresServer } from './postgres';
import { redisServers } from './redis';
import type { Server } from './server';
import { zookeeperServer } from './zookeeper';

export type { Server, ServerContext } from './server';

/** Every server of the local stack, in display order. */
export const allServers = (): Server[] => [
  postgresServer(),
  ...redisServers(),
  kafkaServer(),
  zookeeperServer(),
];
