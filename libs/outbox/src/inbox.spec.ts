import type { DataSource, EntityManager } from 'typeorm';
import { Inbox } from './inbox';

// The claim and the work share one transaction; a claimed event skips the work.
describe(Inbox.name, () => {
  const claimed = new Set<string>();
  const steps: string[] = [];
  const manager = {
    query: async (_sql: string, [consumer, eventId]: [string, string]) => {
      steps.push(`claim ${eventId}`);
      const key = `${consumer}/${eventId}`;
      if (claimed.has(key)) return [];
      claimed.add(key);
      return [{ event_id: eventId }];
    },
  } as unknown as EntityManager;
  const dataSource = {
    transaction: async <T>(work: (m: EntityManager) => Promise<T>): Promise<T> => {
      steps.push('begin');
      const result = await work(manager);
      steps.push('commit');
      return result;
    },
  } as unknown as DataSource;
  const inbox = new Inbox(dataSource, 'orders', 'orders.payment-outcome');

  beforeEach(() => (steps.length = 0));

  it('claims the event and does the work in the same transaction, once', async () => {
    const work = async (m: EntityManager) => {
      expect(m).toBe(manager);
      steps.push('work');
      return 'applied' as const;
    };
    await expect(inbox.once('e-1', work)).resolves.toBe('applied');
    expect(steps).toEqual(['begin', 'claim e-1', 'work', 'commit']);
    steps.length = 0;
    await expect(inbox.once('e-1', work)).resolves.toBe('duplicate');
    expect(steps).toEqual(['begin', 'claim e-1', 'commit']);
  });

  it('lets a failing work fail the whole transaction', async () => {
    await expect(
      inbox.once('e-2', async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(steps).toEqual(['begin', 'claim e-2']);
  });
});
