import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ReadinessService } from '@sdp/observability';
import { CACHE_REDIS, createRedis, waitForRedis } from '@sdp/redis';
import type { Redis } from 'ioredis';
import { NOTIFICATIONS_CONFIG, type NotificationsConfig } from '../config';
import type { NotificationView } from './notification';

export type NotificationListener = (notification: NotificationView) => void;

export const userChannel = (userId: string): string => `notifications:${userId}`;

/**
 * Fan-out across replicas over Redis pub/sub. The Kafka consumer that stores a notification runs in
 * whichever replica owns the partition, but the user's SSE connection may be held by another
 * replica (the load balancer picked it). So the storing replica PUBLISHes on `notifications:{userId}`
 * and every replica with a stream open for that user has SUBSCRIBEd to that channel and writes it
 * out. Per-user channels mean a replica only receives what its own clients need.
 *
 * Subscribing needs a connection of its own: a Redis connection in subscriber mode can run no
 * other commands, so publishing goes through the normal cache client.
 * Pub/sub is fire-and-forget: a replica that is not subscribed at that instant misses the message;
 * the table and Last-Event-ID replay cover it when the client reconnects.
 */
@Injectable()
export class NotificationFanout implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(NotificationFanout.name);
  private readonly subscriber: Redis;
  private readonly listeners = new Map<string, Set<NotificationListener>>();

  constructor(
    @Inject(CACHE_REDIS) private readonly redis: Redis,
    @Inject(NOTIFICATIONS_CONFIG) config: NotificationsConfig,
    readiness: ReadinessService,
  ) {
    this.subscriber = createRedis({
      url: config.REDIS_CACHE_URL,
      name: `${config.INSTANCE_ID}-subscriber`,
      role: 'cache',
    });
    this.subscriber.on('message', (channel: string, message: string) => this.dispatch(channel, message));
    readiness.register('redis-subscriber', () =>
      this.subscriber.status === 'ready'
        ? Promise.resolve()
        : Promise.reject(new Error(`subscriber connection ${this.subscriber.status}`)),
    );
  }

  async onModuleInit(): Promise<void> {
    // Wait briefly so the first stream after start can subscribe; a down cache node does not stop
    // the service (streams answer 503 until it is back, stored notifications stay readable).
    await waitForRedis(this.subscriber, 3_000).catch((error: Error) => this.logger.warn(error.message));
  }

  onApplicationShutdown(): void {
    this.subscriber.disconnect();
  }

  /** Sends a stored notification to every replica holding a stream for its user. */
  async publish(notification: NotificationView): Promise<number> {
    return this.redis.publish(userChannel(notification.userId), JSON.stringify(notification));
  }

  /** Listens for the user's notifications (from any replica); the returned function stops listening. */
  async subscribe(userId: string, listener: NotificationListener): Promise<() => void> {
    let set = this.listeners.get(userId);
    if (!set) {
      set = new Set();
      this.listeners.set(userId, set);
      try {
        await this.subscriber.subscribe(userChannel(userId));
      } catch (error) {
        if (set.size === 0) this.listeners.delete(userId);
        throw error;
      }
    }
    set.add(listener);
    const listeners = set;
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && this.listeners.get(userId) === listeners) {
        this.listeners.delete(userId);
        this.subscriber.unsubscribe(userChannel(userId)).catch(() => undefined);
      }
    };
  }

  private dispatch(channel: string, message: string): void {
    const userId = channel.slice('notifications:'.length);
    let notification: NotificationView;
    try {
      notification = JSON.parse(message) as NotificationView;
    } catch {
      this.logger.warn(`ignoring a malformed message on ${channel}`);
      return;
    }
    for (const listener of this.listeners.get(userId) ?? []) listener(notification);
  }
}
