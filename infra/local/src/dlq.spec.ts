import { describeDeadLetter, formatDeadLetters } from './dlq';

describe(describeDeadLetter.name, () => {
  it('reads the event id, type, reason and original topic of a dead letter', () => {
    const letter = describeDeadLetter('order.placed.dlq', 1, {
      key: Buffer.from('o-1'),
      value: Buffer.from(JSON.stringify({ id: 'e-1', type: 'order.placed' })),
      offset: '7',
      timestamp: '0',
      attributes: 0,
      headers: {
        'dlq-reason': Buffer.from('invalid data'),
        'dlq-original-topic': Buffer.from('order.placed'),
      },
    });
    expect(letter).toMatchObject({
      eventId: 'e-1',
      eventType: 'order.placed',
      reason: 'invalid data',
      originalTopic: 'order.placed',
    });
    expect(formatDeadLetters([letter])).toContain('order.placed.dlq p1@7  key=o-1  event=e-1 (order.placed)');
  });

  it('copes with a malformed message and missing headers', () => {
    const letter = describeDeadLetter('x.dlq', 0, {
      key: null,
      value: Buffer.from('{oops'),
      offset: '0',
      timestamp: '0',
      attributes: 0,
      headers: {},
    });
    expect(letter).toMatchObject({ eventId: undefined, reason: '(no reason header)', originalTopic: 'x' });
  });
});
