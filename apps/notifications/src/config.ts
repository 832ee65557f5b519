import {
  internalAuthSecret,
  loadConfig,
  positiveInt,
  serviceConfigShape,
  url,
  withInstanceId,
} from '@sdp/config';
import { z } from 'zod';

export const notificationsConfigSchema = z.object({
  ...serviceConfigShape('notifications', 3500),
  INTERNAL_AUTH_SECRET: internalAuthSecret(),
  /** The cache node carries the pub/sub fan-out between replicas. */
  REDIS_CACHE_URL: url(['redis']),
  /** A comment line on every open stream this often, so proxies and load balancers keep it open. */
  SSE_HEARTBEAT_MS: positiveInt(15_000),
});

export type NotificationsConfig = z.infer<typeof notificationsConfigSchema> & { INSTANCE_ID: string };

export const NOTIFICATIONS_CONFIG = Symbol('NOTIFICATIONS_CONFIG');

export const loadNotificationsConfig = (env: NodeJS.ProcessEnv = process.env): NotificationsConfig =>
  withInstanceId('notifications', loadConfig(notificationsConfigSchema, env));
