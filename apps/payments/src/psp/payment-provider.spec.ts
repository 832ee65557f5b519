import { waitFor } from '@sdp/testing';
import {
  type ChargeLedger,
  type ChargeRecord,
  IdempotencyConflictError,
  PaymentProvider,
  ProviderTimeoutError,
  type PspSettings,
  type RefundRecord,
  RefundRejectedError,
  seededRandom,
} from './payment-provider';

/** The ledger's contract in memory; the Postgres ledger is exercised by the integration test. */
class MemoryLedger implements ChargeLedger {
  readonly rows = new Map<string, ChargeRecord>();
  readonly refunds = new Map<string, RefundRecord>();
  async find(key: string) {
    return this.rows.get(key);
  }
  async record(charge: ChargeRecord) {
    const existing = this.rows.get(charge.idempotencyKey);
    if (existing) return { stored: existing, created: false };
    this.rows.set(charge.idempotencyKey, charge);
    return { stored: charge, created: true };
  }
  async recordRefund(refund: RefundRecord) {
    const existing = this.refunds.get(refund.idempotencyKey);
    if (existing) return { stored: existing, created: false };
    if ([...this.refunds.values()].some((r) => r.chargeKey === refund.chargeKey)) return undefined;
    this.refunds.set(refund.idempotencyKey, refund);
    return { stored: refund, created: true };
  }
}

const settings = (overrides: Partial<PspSettings> = {}): PspSettings => ({
  latencyMs: 0,
  failureRate: 0,
  timeoutRate: 0,
  timeoutMs: 200,
  ...overrides,
});

describe(PaymentProvider.name, () => {
  it('decides once per idempotency key: a repeat returns the recorded outcome without charging again', async () => {
    const ledger = new MemoryLedger();
    const provider = new PaymentProvider(ledger, settings({ failureRate: 1 }));
    const first = await provider.charge({ idempotencyKey: 'order-1', amountCents: 500 });
    expect(first).toMatchObject({ outcome: 'declined', replayed: false, declineReason: /card_declined/ });

    provider.configure({ failureRate: 0 }); // would approve a new key now
    const again = await provider.charge({ idempotencyKey: 'order-1', amountCents: 500 });
    expect(again).toMatchObject({ outcome: 'declined', replayed: true });
    expect(ledger.rows.size).toBe(1);
    await expect(provider.charge({ idempotencyKey: 'order-2', amountCents: 500 })).resolves.toMatchObject({
      outcome: 'approved',
    });
  });

  it('gives the same decisions for the same seed', async () => {
    const run = async (seed: number) => {
      const provider = new PaymentProvider(
        new MemoryLedger(),
        settings({ failureRate: 0.5 }),
        seededRandom(seed),
      );
      const outcomes: string[] = [];
      for (let i = 0; i < 20; i++) {
        outcomes.push((await provider.charge({ idempotencyKey: `k${i}`, amountCents: 100 })).outcome);
      }
      return outcomes;
    };
    const a = await run(42);
    expect(await run(42)).toEqual(a);
    expect(new Set(a)).toEqual(new Set(['approved', 'declined'])); // 0.5 gives both
  });

  it('can record the charge and still time out; the retry with the same key gets the recorded answer', async () => {
    const ledger = new MemoryLedger();
    const provider = new PaymentProvider(ledger, settings({ timeoutRate: 1, timeoutMs: 50 }));
    const started = Date.now();
    await expect(provider.charge({ idempotencyKey: 'order-3', amountCents: 900 })).rejects.toThrow(
      ProviderTimeoutError,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(45); // the caller waited out its timeout
    expect(ledger.rows.get('order-3')).toEqual({
      idempotencyKey: 'order-3',
      amountCents: 900,
      outcome: 'approved',
    });

    provider.configure({ timeoutRate: 0 });
    await expect(provider.charge({ idempotencyKey: 'order-3', amountCents: 900 })).resolves.toMatchObject({
      outcome: 'approved',
      replayed: true,
    });
    expect(ledger.rows.size).toBe(1);
  });

  it('times out when the provider is slower than the caller waits, and still records the charge', async () => {
    const ledger = new MemoryLedger();
    const provider = new PaymentProvider(ledger, settings({ latencyMs: 100, timeoutMs: 20 }), () => 0.5);
    await expect(provider.charge({ idempotencyKey: 'slow', amountCents: 1 })).rejects.toThrow(
      /did not answer within 20 ms/,
    );
    expect(ledger.rows.has('slow')).toBe(false);
    await waitFor(() => ledger.rows.has('slow'), { timeoutMs: 2_000, what: 'the late charge' });
  });

  it('refuses an idempotency key reused with another amount', async () => {
    const provider = new PaymentProvider(new MemoryLedger(), settings());
    await provider.charge({ idempotencyKey: 'order-4', amountCents: 100 });
    await expect(provider.charge({ idempotencyKey: 'order-4', amountCents: 101 })).rejects.toThrow(
      IdempotencyConflictError,
    );
  });

  describe('refund', () => {
    const charged = async (provider: PaymentProvider, key: string, amountCents = 700) =>
      expect(provider.charge({ idempotencyKey: key, amountCents })).resolves.toMatchObject({
        outcome: 'approved',
      });

    it('refunds an approved charge once per key: a repeat, even after a lost answer, is the same refund', async () => {
      const ledger = new MemoryLedger();
      const provider = new PaymentProvider(ledger, settings());
      await charged(provider, 'order-5');
      const refund = { idempotencyKey: 'refund-order-5', chargeKey: 'order-5', amountCents: 700 };

      provider.configure({ timeoutRate: 1, timeoutMs: 50 });
      await expect(provider.refund(refund)).rejects.toThrow(ProviderTimeoutError);
      expect(ledger.refunds.get('refund-order-5')).toEqual(refund); // refunded, answer lost

      provider.configure({ timeoutRate: 0 });
      await expect(provider.refund(refund)).resolves.toEqual({ ...refund, replayed: true });
      expect(ledger.refunds.size).toBe(1);
    });

    it('refuses a second refund of the same charge under another key, a declined or unknown charge, and more than was charged', async () => {
      const provider = new PaymentProvider(new MemoryLedger(), settings());
      await charged(provider, 'order-6');
      await provider.refund({ idempotencyKey: 'r1', chargeKey: 'order-6', amountCents: 700 });
      await expect(
        provider.refund({ idempotencyKey: 'r2', chargeKey: 'order-6', amountCents: 700 }),
      ).rejects.toThrow(/already refunded/);
      await expect(
        provider.refund({ idempotencyKey: 'r1', chargeKey: 'order-6', amountCents: 600 }),
      ).rejects.toThrow(IdempotencyConflictError);
      await charged(provider, 'order-7');
      await expect(
        provider.refund({ idempotencyKey: 'r3', chargeKey: 'order-7', amountCents: 701 }),
      ).rejects.toThrow(/more than the 700 cents charged/);
      await expect(
        provider.refund({ idempotencyKey: 'r4', chargeKey: 'nope', amountCents: 1 }),
      ).rejects.toThrow(RefundRejectedError);
      provider.configure({ failureRate: 1 });
      await provider.charge({ idempotencyKey: 'order-8', amountCents: 5 });
      await expect(
        provider.refund({ idempotencyKey: 'r5', chargeKey: 'order-8', amountCents: 5 }),
      ).rejects.toThrow(/no approved charge/);
    });
  });
});
