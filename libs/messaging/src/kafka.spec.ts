// Pure logic of ensureTopics against a scripted Admin: the broker behaviours that crashed a
// replica at boot in CI (metadata lagging behind topic creation, a racing replica) are replayed here.
import type { Admin } from 'kafkajs';
import { ensureTopics } from './kafka';

const unknownTopic = Object.assign(new Error('This server does not host this topic-partition'), {
  type: 'UNKNOWN_TOPIC_OR_PARTITION',
});
const led = (names: string[]) => ({
  topics: names.map((name) => ({ name, partitions: [{ partitionId: 0, leader: 1 }] })),
});

const createErrors = (...types: string[]) =>
  Object.assign(new Error('Topic creation errors'), { errors: types.map((type) => ({ type })) });

function scriptedAdmin(script: { existing?: string[]; createError?: Error; metadata: (() => unknown)[] }) {
  let calls = 0;
  const admin = {
    listTopics: jest.fn(async () => script.existing ?? []),
    createTopics: jest.fn(async () => {
      if (script.createError) throw script.createError;
      return true;
    }),
    fetchTopicMetadata: jest.fn(async () => {
      const step = script.metadata[Math.min(calls++, script.metadata.length - 1)];
      return step();
    }),
  };
  return admin as typeof admin & Admin;
}

describe('ensureTopics', () => {
  it('keeps polling while the broker still answers UNKNOWN_TOPIC_OR_PARTITION after the create', async () => {
    const admin = scriptedAdmin({
      metadata: [
        () => {
          throw unknownTopic;
        },
        () => ({ topics: [{ name: 'a', partitions: [{ partitionId: 0, leader: -1 }] }] }),
        () => led(['a']),
      ],
    });
    await expect(ensureTopics(admin, ['a'], 3)).resolves.toEqual(['a']);
    expect(admin.createTopics).toHaveBeenCalledWith({
      waitForLeaders: false,
      topics: [{ topic: 'a', numPartitions: 3 }],
    });
    expect(admin.fetchTopicMetadata).toHaveBeenCalledTimes(3);
  });

  it('accepts TOPIC_ALREADY_EXISTS from a replica that lost the race, then waits for leaders', async () => {
    const admin = scriptedAdmin({
      createError: createErrors('TOPIC_ALREADY_EXISTS'),
      metadata: [() => led(['a'])],
    });
    await expect(ensureTopics(admin, ['a'], 3)).resolves.toEqual(['a']);
  });

  it('rethrows any other create error', async () => {
    const invalid = createErrors('TOPIC_ALREADY_EXISTS', 'INVALID_PARTITIONS');
    const admin = scriptedAdmin({ createError: invalid, metadata: [() => led(['a'])] });
    await expect(ensureTopics(admin, ['a', 'b'], 0)).rejects.toBe(invalid);
  });

  it('gives up at the deadline naming the topics and the last problem', async () => {
    const admin = scriptedAdmin({
      metadata: [
        () => {
          throw unknownTopic;
        },
      ],
    });
    await expect(ensureTopics(admin, ['a'], 3, { timeoutMs: 300 })).rejects.toThrow(
      'topics a not ready after 300 ms: This server does not host this topic-partition',
    );
  });

  it('does nothing when every topic exists', async () => {
    const admin = scriptedAdmin({ existing: ['a'], metadata: [() => led(['a'])] });
    await expect(ensureTopics(admin, ['a'], 3)).resolves.toEqual([]);
    expect(admin.createTopics).not.toHaveBeenCalled();
  });
});
