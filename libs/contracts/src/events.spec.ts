import { parseEnvelope } from '@sdp/messaging';
import { eventTopics } from '@sdp/topology';
import { allEvents, OrderPlaced } from './events';
import { reservationRequest } from './inventory-api';

describe('contracts', () => {
  it('publishes every event type on a topic the infrastructure creates', () => {
    expect(allEvents.map((e) => e.type).sort()).toEqual([...eventTopics].sort());
  });

  it('validates event data at the boundary', () => {
    const envelope = OrderPlaced.create('9b2f4c0e-8a5e-4c1a-9a53-0e8f2d6b7a11', {
      orderId: '9b2f4c0e-8a5e-4c1a-9a53-0e8f2d6b7a11',
      userId: 'user-1',
      items: [{ sku: 'SKU-000001', quantity: 2, priceCents: 1999 }],
      totalCents: 3998,
    });
    const parsed = parseEnvelope(JSON.stringify(envelope));
    expect(parsed.ok && OrderPlaced.parse(parsed.envelope).ok).toBe(true);

    const tampered = { ...envelope, data: { ...envelope.data, items: [] } };
    const result = OrderPlaced.parse(tampered);
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/items/) });
  });

  it('bounds a reservation request', () => {
    const ok = {
      orderId: '9b2f4c0e-8a5e-4c1a-9a53-0e8f2d6b7a11',
      items: [{ sku: 'SKU-000001', quantity: 1 }],
    };
    expect(reservationRequest.safeParse(ok).success).toBe(true);
    for (const quantity of [0, -1, 1.5, 101]) {
      expect(reservationRequest.safeParse({ ...ok, items: [{ sku: 'SKU-000001', quantity }] }).success).toBe(
        false,
      );
    }
    expect(reservationRequest.safeParse({ ...ok, items: [{ sku: 'drop table', quantity: 1 }] }).success).toBe(
      false,
    );
  });
});
