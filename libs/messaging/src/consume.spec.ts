import { Injectable, Module } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, MetadataScanner, NestFactory } from '@nestjs/core';
import { consumerGroups } from '@sdp/topology';
import type { Kafka } from 'kafkajs';
import { z } from 'zod';
import {
  ConsumeEvents,
  declaredHandlers,
  deliverTo,
  discoverConsumers,
  parseEvent,
  type ConsumedEvent,
} from './consume';
import type { MessageContext } from './consumer';
import { createEnvelope, defineEvent } from './envelope';
import { Consumers, Topics } from './kafka.module';
import { NonRetryableError } from './retry';

const Placed = defineEvent('order.placed', z.object({ orderId: z.string(), totalCents: z.number().int() }));
const Cancelled = defineEvent('order.cancelled', z.object({ orderId: z.string(), reason: z.string() }));
const group = consumerGroups.payments.charges;
const context: MessageContext = { topic: 'order.placed', partition: 0, offset: '0', headers: {} };

@Injectable()
class Charges {
  readonly seen: string[] = [];

  @ConsumeEvents({ group, events: [Placed] })
  async placed(event: ConsumedEvent<typeof Placed>): Promise<void> {
    this.seen.push(`placed ${event.data.orderId} ${event.data.totalCents}`);
  }

  @ConsumeEvents({ group: consumerGroups.payments.refunds, events: [Cancelled] })
  async cancelled(event: ConsumedEvent<typeof Cancelled>): Promise<void> {
    this.seen.push(`cancelled ${event.data.orderId}`);
  }

  notAHandler(): void {}
}

@Injectable()
class Audit {
  readonly seen: string[] = [];

  // Same group as Charges.placed, another event: one Kafka consumer hands each event to its method.
  @ConsumeEvents({ group, events: [Cancelled] })
  async cancelled(event: ConsumedEvent<typeof Cancelled>, at: MessageContext): Promise<void> {
    this.seen.push(`${event.type} at ${at.offset}`);
  }
}

async function discover(...providers: (new (...args: never[]) => unknown)[]) {
  @Module({ imports: [DiscoveryModule], providers })
  class Host {}
  const app = await NestFactory.createApplicationContext(Host, { logger: false });
  try {
    return { app, groups: discoverConsumers(app.get(DiscoveryService), app.get(MetadataScanner)) };
  } finally {
    await app.close();
  }
}

describe(discoverConsumers.name, () => {
  it('finds every decorated method at boot, one consumer per group, and hands it parsed data', async () => {
    const { app, groups } = await discover(Charges, Audit);
    expect(groups.map((g) => [g.group, g.topics])).toEqual([
      [group, ['order.placed', 'order.cancelled']],
      [consumerGroups.payments.refunds, ['order.cancelled']],
    ]);
    const charges = groups.find((g) => g.group === group)!;
    await charges.handle(
      createEnvelope('order.placed', 'o-1', { orderId: 'o-1', totalCents: 5, extra: 1 }),
      context,
    );
    await charges.handle(createEnvelope('order.cancelled', 'o-1', { orderId: 'o-1', reason: 'r' }), context);
    expect(app.get(Charges).seen).toEqual(['placed o-1 5']);
    expect(app.get(Audit).seen).toEqual(['order.cancelled at 0']);
  });

  it('dead-letters what breaks the contract or is not handled by the group, without calling a handler', async () => {
    const { app, groups } = await discover(Charges);
    const charges = groups.find((g) => g.group === group)!;
    const malformed = charges.handle(createEnvelope('order.placed', 'o-2', { orderId: 'o-2' }), context);
    await expect(malformed).rejects.toThrow(NonRetryableError);
    await expect(charges.handle(createEnvelope('order.placed', 'o-2', {}), context)).rejects.toThrow(
      /invalid data for "order.placed": orderId/,
    );
    await expect(charges.handle(createEnvelope('stock.changed', 'x', {}), context)).rejects.toThrow(
      /group "payments" does not handle events of type "stock.changed"/,
    );
    expect(app.get(Charges).seen).toEqual([]);
  });

  it('refuses to boot when two methods claim the same event in one group', async () => {
    @Injectable()
    class SecondCharges {
      @ConsumeEvents({ group, events: [Placed] })
      async placedAgain(): Promise<void> {}
    }
    await expect(discover(Charges, SecondCharges)).rejects.toThrow(
      /group "payments": order.placed is handled by Charges.placed and SecondCharges.placedAgain/,
    );
  });
});

describe('declared consumers', () => {
  it('lists a class declarations for its unit test', () => {
    expect(declaredHandlers(Charges)).toEqual([
      { method: 'placed', group: 'payments', events: ['order.placed'] },
      { method: 'cancelled', group: 'payments-refunds', events: ['order.cancelled'] },
    ]);
  });

  it('delivers to a hand-built provider the way its consumer would', async () => {
    const charges = new Charges();
    await deliverTo(charges, createEnvelope('order.placed', 'o-3', { orderId: 'o-3', totalCents: 7 }));
    await deliverTo(charges, createEnvelope('order.cancelled', 'o-3', { orderId: 'o-3', reason: 'r' }));
    expect(charges.seen).toEqual(['placed o-3 7', 'cancelled o-3']);
    await expect(deliverTo(charges, createEnvelope('order.placed', 'o-3', {}))).rejects.toThrow(
      NonRetryableError,
    );
  });

  it('parses with the contract of the envelope type', () => {
    const event = parseEvent(
      [Placed, Cancelled],
      createEnvelope('order.cancelled', 'k', { orderId: 'o', reason: 'r' }),
      'x',
    );
    expect(event).toMatchObject({ type: 'order.cancelled', data: { orderId: 'o', reason: 'r' } });
  });
});

describe('consumer group names', () => {
  const consumers = (prefix: string, groupNames?: Record<string, string>) =>
    new Consumers({} as Kafka, new Topics(prefix), {} as DiscoveryService, new MetadataScanner(), {
      clientId: 'c',
      brokers: [],
      topics: [],
      topicPrefix: prefix,
      groupNames,
    });

  it('get the stack prefix exactly once', () => {
    expect(consumers('').groupId(consumerGroups.notifications.orderOutcomes)).toBe('notifications');
    expect(consumers('t1.').groupId(consumerGroups.payments.refunds)).toBe('t1.payments-refunds');
  });

  it('can be renamed by config, still prefixed', () => {
    const renamed = consumers('t1.', { [consumerGroups.inventory.orderEvents]: 'inventory-nodes' });
    expect(renamed.groupId(consumerGroups.inventory.orderEvents)).toBe('t1.inventory-nodes');
    expect(renamed.groupId(consumerGroups.orders.paymentOutcomes)).toBe('t1.orders');
  });
});
