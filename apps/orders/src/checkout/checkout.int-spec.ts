import { uniqueName, waitFor } from '@sdp/testing';
import { PRICES, ordersHarness } from '../../test/support/orders-harness';

// The checkout use case against fake catalog and inventory servers: idempotency keys, the order and
// its outbox row in one transaction, upstream failures (apps/orders/test/support/orders-harness.ts).

describe('orders (integration): checkout', () => {
  const { received, db, call, checkout, count, metricSum, schema, inventory } = ordersHarness();

  describe('checkout', () => {
    it('turns the cart into a PENDING_PAYMENT order, with its outbox row in the same transaction, and publishes order.placed keyed by order id', async () => {
      const user = uniqueName('buyer');
      await call('POST', '/cart/items', { user, payload: { sku: 'SKU-000001', quantity: 2 } });
      await call('POST', '/cart/items', { user, payload: { sku: 'SKU-000003', quantity: 1 } });
      const requestId = uniqueName('req');
      const res = await checkout(user, uniqueName('key'), undefined, 1, requestId);
      expect(res.statusCode).toBe(202);
      const { orderId } = res.json();
      expect(res.json()).toEqual({ orderId: expect.any(String), status: 'PENDING_PAYMENT' });

      // Inventory was asked, signed as the orders service, with the order id.
      const reservation = inventory.state.calls.find((c) => c.request.orderId === orderId)!;
      expect(reservation.request.items).toEqual([
        { sku: 'SKU-000001', quantity: 2 },
        { sku: 'SKU-000003', quantity: 1 },
      ]);
      expect(reservation.headers['x-user-role']).toBe('service');
      expect(reservation.headers['x-request-id']).toBe(requestId);

      const total = 2 * PRICES['SKU-000001'] + PRICES['SKU-000003'];
      const order = await db.query(`SELECT *, xmin::text AS tx FROM "${schema.name}".orders WHERE id = $1`, [
        orderId,
      ]);
      expect(order.rows[0]).toMatchObject({
        user_id: user,
        status: 'PENDING_PAYMENT',
        total_cents: String(total),
      });
      // Rows written by one transaction carry its id in xmin: order, lines and the key's answer.
      const items = await db.query(
        `SELECT xmin::text AS tx FROM "${schema.name}".order_items WHERE order_id = $1`,
        [orderId],
      );
      const key = await db.query(
        `SELECT xmin::text AS tx, status, response_code FROM "${schema.name}".idempotency_keys WHERE user_id = $1`,
        [user],
      );
      expect(items.rows.map((r) => r.tx)).toEqual([order.rows[0].tx, order.rows[0].tx]);
      expect(key.rows[0]).toEqual({ tx: order.rows[0].tx, status: 'done', response_code: 202 });
      expect(await count('outbox', `topic = 'order.placed' AND key = $1`, [orderId])).toBe(1);

      const message = await waitFor(
        () => received.find((m) => m.topic === 'order.placed' && m.key === orderId),
        {
          timeoutMs: 20_000,
          what: 'order.placed on Kafka',
        },
      );
      expect(message.envelope).toMatchObject({
        type: 'order.placed',
        key: orderId,
        requestId,
        data: {
          orderId,
          userId: user,
          totalCents: total,
          items: [
            { sku: 'SKU-000001', quantity: 2, priceCents: PRICES['SKU-000001'] },
            { sku: 'SKU-000003', quantity: 1, priceCents: PRICES['SKU-000003'] },
          ],
        },
      });
      expect((await call('GET', '/cart', { user })).json()).toEqual({ items: [] });
      const read = await call('GET', `/orders/${orderId}`, { user });
      expect(read.json()).toEqual({
        id: orderId,
        status: 'PENDING_PAYMENT',
        items: message.envelope.data && (message.envelope.data as { items: unknown }).items,
        totalCents: total,
        createdAt: expect.any(String),
      });
    });

    it('writes nothing when the order transaction fails after the hold, releases the key, and a retry reuses that hold', async () => {
      const user = uniqueName('txfail');
      const key = uniqueName('key');
      const body = { items: [{ sku: 'SKU-000002', quantity: 1 }] };
      const callsBefore = inventory.state.calls.length;
      // A trigger makes the outbox insert fail for this user only: the order insert before it must roll back.
      await db.query(`
        CREATE FUNCTION "${schema.name}".fail_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.envelope->'data'->>'userId' = '${user}' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$;
        CREATE TRIGGER fail_outbox BEFORE INSERT ON "${schema.name}".outbox
          FOR EACH ROW EXECUTE FUNCTION "${schema.name}".fail_outbox();`);
      try {
        const res = await checkout(user, key, body);
        expect(res.statusCode).toBe(500);
        expect(await count('orders', 'user_id = $1', [user])).toBe(0);
        expect(await count('idempotency_keys', 'user_id = $1', [user])).toBe(0);
      } finally {
        await db.query(`DROP TRIGGER fail_outbox ON "${schema.name}".outbox`);
      }
      // The retry asks inventory for the same order id, so it gets the first attempt's hold back
      // instead of taking a second one.
      const retry = await checkout(user, key, body);
      expect(retry.statusCode).toBe(202);
      const orderIds = inventory.state.calls.slice(callsBefore).map((c) => c.request.orderId);
      expect(orderIds).toEqual([retry.json().orderId, retry.json().orderId]);
      expect(await count('orders', 'user_id = $1', [user])).toBe(1);
    });

    it('refuses a retry whose earlier hold has expired: 409, no order, and the answer is stored', async () => {
      const user = uniqueName('expired');
      const key = uniqueName('key');
      const body = { items: [{ sku: 'SKU-000002', quantity: 1 }] };
      inventory.state.replayStatus = 'RELEASED';
      try {
        const res = await checkout(user, key, body);
        expect(res.statusCode).toBe(409);
        expect(res.json().message).toContain('retry with a new Idempotency-Key');
        expect(await count('orders', 'user_id = $1', [user])).toBe(0);
        expect((await checkout(user, key, body)).json()).toEqual(res.json());
      } finally {
        inventory.state.replayStatus = undefined;
      }
    });

    it('answers the same key and body with the same 202 and places one order', async () => {
      const user = uniqueName('retry');
      const key = uniqueName('key');
      const body = {
        items: [
          { sku: 'SKU-000002', quantity: 1 },
          { sku: 'SKU-000001', quantity: 1 },
        ],
      };
      const first = await checkout(user, key, body);
      const calls = inventory.state.calls.length;
      // Same lines in another order, on the other replica: the same request.
      const again = await checkout(user, key, { items: [...body.items].reverse() }, 1);
      expect(first.statusCode).toBe(202);
      expect(again.statusCode).toBe(202);
      expect(again.json()).toEqual(first.json());
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(inventory.state.calls.length).toBe(calls);
      expect(await count('orders', 'user_id = $1', [user])).toBe(1);

      const other = await checkout(user, key, { items: [{ sku: 'SKU-000002', quantity: 2 }] });
      expect(other.statusCode).toBe(422);
      expect(other.json()).toMatchObject({
        statusCode: 422,
        message: 'Idempotency-Key reused with a different body',
      });
      expect(await count('orders', 'user_id = $1', [user])).toBe(1);
      // Keys belong to a user: another user may use the same key for their own order.
      expect((await checkout(uniqueName('other'), key, body)).statusCode).toBe(202);
    });

    it('places one order for concurrent duplicates over both replicas', async () => {
      const user = uniqueName('dupes');
      const key = uniqueName('key');
      const body = { items: [{ sku: 'SKU-000003', quantity: 1 }] };
      const responses = await Promise.all(
        Array.from({ length: 8 }, (_, i) => checkout(user, key, body, i % 2)),
      );
      const codes = responses.map((r) => r.statusCode);
      console.log(`concurrent duplicates: ${codes.join(', ')}`);
      expect(codes.every((c) => c === 202 || c === 409)).toBe(true);
      const accepted = responses.filter((r) => r.statusCode === 202).map((r) => r.json().orderId);
      expect(accepted.length).toBeGreaterThanOrEqual(1);
      expect(new Set(accepted).size).toBe(1);
      const busy = responses.find((r) => r.statusCode === 409);
      if (busy)
        expect(busy.json().message).toBe('a request with this Idempotency-Key is in progress; retry shortly');
      expect(await count('orders', 'user_id = $1', [user])).toBe(1);
      const final = await checkout(user, key, body);
      expect(final.json().orderId).toBe(accepted[0]);
    });

    it('answers 409 naming the SKU when out of stock, places no order, and replays that answer', async () => {
      const user = uniqueName('oos');
      const key = uniqueName('key');
      const body = {
        items: [
          { sku: 'SKU-000001', quantity: 1 },
          { sku: 'SKU-LOW', quantity: 2 },
        ],
      };
      const res = await checkout(user, key, body);
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({
        statusCode: 409,
        error: 'Conflict',
        message: expect.stringMatching(/^out of stock: SKU-LOW/),
        sku: 'SKU-LOW',
        available: 1,
      });
      expect(await count('orders', 'user_id = $1', [user])).toBe(0);
      const again = await checkout(user, key, body, 1);
      expect(again.statusCode).toBe(409);
      expect(again.json()).toEqual(res.json());
    });

    it.each([
      ['down (503)', 'down'],
      ['too slow (timeout)', 'slow'],
    ] as const)(
      'answers 503 when inventory is %s, places no order, and frees the key for a retry',
      async (_case, mode) => {
        const user = uniqueName('down');
        const key = uniqueName('key');
        const body = { items: [{ sku: 'SKU-000002', quantity: 1 }] };
        inventory.state.mode = mode;
        const res = await checkout(user, key, body);
        expect(res.statusCode).toBe(503);
        expect(res.json().message).toMatch(/inventory.*retry with the same Idempotency-Key/);
        expect(await count('orders', 'user_id = $1', [user])).toBe(0);
        expect(await count('idempotency_keys', 'user_id = $1', [user])).toBe(0);
        inventory.state.mode = 'up';
        expect((await checkout(user, key, body)).statusCode).toBe(202);
      },
    );

    it('answers 422 naming an unknown SKU (from catalog or inventory) and stores that answer', async () => {
      const user = uniqueName('unknown');
      const res = await checkout(user, uniqueName('key'), {
        items: [
          { sku: 'SKU-999999', quantity: 1 },
          { sku: 'SKU-000001', quantity: 1 },
        ],
      });
      // Inventory is asked first (a hold before a price), so it names the SKU neither service knows.
      expect(res.statusCode).toBe(422);
      expect(res.json().message).toBe('inventory: unknown SKU SKU-999999');
      const inv = await checkout(user, uniqueName('key'), { items: [{ sku: 'SKU-NOINV', quantity: 1 }] });
      expect(inv.statusCode).toBe(422);
      expect(inv.json().message).toMatch(/SKU-NOINV/);
      const noPrice = await checkout(user, uniqueName('key'), {
        items: [{ sku: 'SKU-NOPRICE', quantity: 1 }],
      });
      expect(noPrice.statusCode).toBe(422);
      expect(noPrice.json().message).toBe('unknown SKU: SKU-NOPRICE');
      expect(await count('orders', 'user_id = $1', [user])).toBe(0);
      expect(await count('idempotency_keys', `user_id = $1 AND response_code = 422`, [user])).toBe(3);
    });

    const items = (...lines: object[]) => ({ items: lines });
    it.each([
      ['quantity 0', items({ sku: 'SKU-000001', quantity: 0 }), /quantity must be an integer from 1 to 100/],
      [
        'a negative quantity',
        items({ sku: 'SKU-000001', quantity: -1 }),
        /quantity must be an integer from 1 to 100/,
      ],
      [
        'a huge quantity',
        items({ sku: 'SKU-000001', quantity: 1e12 }),
        /quantity must be an integer from 1 to 100/,
      ],
      ['a fractional quantity', items({ sku: 'SKU-000001', quantity: 2.5 }), /quantity must be an integer/],
      ['a malformed SKU', items({ sku: "'; drop table", quantity: 1 }), /sku must be a SKU/],
      [
        'an unknown field',
        { items: [{ sku: 'SKU-000001', quantity: 1 }], coupon: 'FREE' },
        /property coupon should not exist/,
      ],
      [
        'an unknown line field',
        items({ sku: 'SKU-000001', quantity: 1, priceCents: 0 }),
        /property priceCents should not exist/,
      ],
      ['an empty item list', items(), /items must not be empty/],
      ['items that are not a list', { items: 'SKU-000001' }, /items must be an array/],
      [
        'a SKU listed twice',
        items({ sku: 'SKU-000001', quantity: 1 }, { sku: 'SKU-000001', quantity: 2 }),
        /must not list a SKU twice/,
      ],
      [
        '51 lines',
        {
          items: Array.from({ length: 51 }, (_, i) => ({
            sku: `SKU-${String(i + 1).padStart(6, '0')}`,
            quantity: 1,
          })),
        },
        /at most 50 lines/,
      ],
      ['malformed JSON', '{"items": [', /JSON/],
      [
        'a missing Idempotency-Key',
        items({ sku: 'SKU-000001', quantity: 1 }),
        /Idempotency-Key header is required/,
        null,
      ],
      [
        'a too short Idempotency-Key',
        items({ sku: 'SKU-000001', quantity: 1 }),
        /Idempotency-Key header is required/,
        'short',
      ],
      [
        'an Idempotency-Key with spaces',
        items({ sku: 'SKU-000001', quantity: 1 }),
        /Idempotency-Key header is required/,
        'has spaces in it',
      ],
      ['an empty cart', undefined, /cart is empty/],
    ])(
      'rejects %s with a 400 naming it, and writes nothing',
      // A rest parameter on purpose: Jest takes a declared parameter that a row leaves out for `done`.
      async (...row: unknown[]) => {
        const [, payload, message, key] = row as [
          string,
          object | string | undefined,
          RegExp,
          string | null | undefined,
        ];
        const tables = ['orders', 'order_items', 'outbox', 'idempotency_keys'];
        const countAll = async () => {
          const counts: number[] = [];
          for (const table of tables) counts.push(await count(table));
          return counts;
        };
        const before = await countAll();
        const calls = inventory.state.calls.length;
        const res = await checkout(
          uniqueName('bad'),
          key === null ? undefined : (key ?? uniqueName('key')),
          payload,
        );
        expect(res.statusCode).toBe(400);
        expect(res.json()).toMatchObject({
          statusCode: 400,
          error: 'Bad Request',
          message: expect.stringMatching(message),
        });
        expect(await countAll()).toEqual(before);
        expect(inventory.state.calls.length).toBe(calls);
      },
    );
  });

  it('exposes checkout outcomes and latency on /metrics', async () => {
    expect(await metricSum(/^orders_checkouts_total\{outcome="accepted"\}/)).toBeGreaterThan(0);
    expect(await metricSum(/^orders_checkouts_total\{outcome="replayed"\}/)).toBeGreaterThan(0);
    expect(await metricSum(/^orders_checkouts_total\{outcome="out_of_stock"\}/)).toBeGreaterThan(0);
    expect(await metricSum(/^orders_checkout_duration_seconds_count\{outcome="accepted"\}/)).toBeGreaterThan(
      0,
    );
  });
});
