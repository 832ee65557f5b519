import type { Delivery } from './api';
import { describeDelivery } from './delivery-status';

const base: Delivery = {
  orderId: '9b2f4c0e-8a5e-4c1a-9a53-0e8f2d6b7a11',
  status: 'WAITING',
  courier: null,
  createdAt: '2026-01-01T10:00:00.000Z',
  assignedAt: null,
  deliveredAt: null,
};

describe(describeDelivery.name, () => {
  it('waits for confirmation, and gives up on a cancelled order', () => {
    expect(describeDelivery(null, 'PENDING_PAYMENT')).toMatchObject({ pollAgain: true });
    expect(describeDelivery(null, 'CANCELLED')).toEqual({
      text: 'No delivery: the order was cancelled.',
      pollAgain: false,
    });
  });

  it('names the courier once assigned, and stops asking once delivered', () => {
    expect(describeDelivery(base, 'CONFIRMED').text).toMatch(/waiting for a free courier/);
    const assigned = describeDelivery(
      {
        ...base,
        status: 'ASSIGNED',
        courier: { id: 'courier-07', name: 'Gus A.' },
        assignedAt: base.createdAt,
      },
      'CONFIRMED',
    );
    expect(assigned).toMatchObject({ pollAgain: true });
    expect(assigned.text).toMatch(/On its way with Gus A\./);
    const delivered = describeDelivery(
      {
        ...base,
        status: 'DELIVERED',
        courier: { id: 'courier-07', name: 'Gus A.' },
        assignedAt: base.createdAt,
        deliveredAt: base.createdAt,
      },
      'CONFIRMED',
    );
    expect(delivered).toMatchObject({ pollAgain: false });
    expect(delivered.text).toMatch(/Delivered by Gus A\./);
  });
});
