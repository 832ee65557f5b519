// A simulated payment service provider (PSP), modelled on how real ones (Stripe, Adyen) behave:
// - every call takes a while (latency) and may be declined (failure rate);
// - a call carries an idempotency key; the provider decides the outcome ONCE per key and answers a
//   repeated call with the recorded outcome instead of charging again;
// - the answer can be lost after the provider already charged (timeout rate): the caller sees a
//   timeout and cannot tell whether money moved. Retrying with the same key is the only safe move.
// - a refund is a call of its own with its own idempotency key, for an approved charge: the same key
//   again is the same refund, and a charge is refunded (in full) at most once.
//
// The provider's own ledger (`psp_charges`) lives in the payments schema only because the simulator
// needs somewhere durable; conceptually it is the provider's database, not ours.
import type { DataSource } from 'typeorm';
import { sleep } from '@sdp/scheduling';

export interface PspSettings {
  /** Mean latency; each call takes between 0.5x and 1.5x this. */
  latencyMs: number;
  /** Probability that a new charge is declined. */
  failureRate: number;
  /** Probability that a call's answer is lost after the provider recorded the charge. */
  timeoutRate: number;
  /** How long the caller waits for an answer. */
  timeoutMs: number;
}

export type ChargeOutcome = 'approved' | 'declined';

export interface ChargeRecord {
  idempotencyKey: string;
  amountCents: number;
  outcome: ChargeOutcome;
}

export interface ChargeRequest {
  idempotencyKey: string;
  amountCents: number;
}

export interface ChargeResult extends ChargeRecord {
  /** True when the provider answered from its ledger (a repeat of an earlier call with this key). */
  replayed: boolean;
  declineReason?: string;
}

export interface RefundRequest {
  idempotencyKey: string;
  /** The idempotency key of the charge to refund. */
  chargeKey: string;
  amountCents: number;
}

export type RefundRecord = RefundRequest;

export interface RefundResult extends RefundRecord {
  /** True when the provider answered from its ledger (a repeat of an earlier call with this key). */
  replayed: boolean;
}

/** Where the provider remembers what it decided per idempotency key. */
export interface ChargeLedger {
  find(idempotencyKey: string): Promise<ChargeRecord | undefined>;
  /** Stores the record unless the key exists; returns what is stored (the first writer wins). */
  record(charge: ChargeRecord): Promise<{ stored: ChargeRecord; created: boolean }>;
  /**
   * Stores the refund unless its key exists; returns what is stored under that key (the first writer
   * wins), or undefined when the charge was already refunded under another key.
   */
  recordRefund(refund: RefundRecord): Promise<{ stored: RefundRecord; created: boolean } | undefined>;
}

/** The caller gave up waiting. The charge may or may not have happened. */
export class ProviderTimeoutError extends Error {
  constructor(idempotencyKey: string, timeoutMs: number) {
    super(`payment provider did not answer within ${timeoutMs} ms (key ${idempotencyKey})`);
    this.name = 'ProviderTimeoutError';
  }
}

/** The same idempotency key was sent with other parameters: real PSPs refuse this (HTTP 400/409). */
export class IdempotencyConflictError extends Error {
  constructor(key: string, recorded: number, given: number) {
    super(`idempotency key ${key} was first used for ${recorded} cents, now for ${given}`);
    this.name = 'IdempotencyConflictError';
  }
}

/** The provider refuses to refund a charge it did not approve, or one already refunded under another key. */
export class RefundRejectedError extends Error {
  constructor(request: RefundRequest, why: string) {
    super(`refund ${request.idempotencyKey} of charge ${request.chargeKey} refused: ${why}`);
    this.name = 'RefundRejectedError';
  }
}

export const DECLINE_REASON = 'card_declined: the payment provider declined the charge (simulated)';

/** A small seedable PRNG (mulberry32) so tests can replay the same sequence of decisions. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export class PaymentProvider {
  private current: PspSettings;

  constructor(
    private readonly ledger: ChargeLedger,
    settings: PspSettings,
    private readonly random: () => number = Math.random,
  ) {
    this.current = { ...settings };
  }

  settings(): PspSettings {
    return { ...this.current };
  }

  configure(changes: Partial<PspSettings>): PspSettings {
    this.current = { ...this.current, ...changes };
    return this.settings();
  }

  /**
   * Charges once per idempotency key. Throws ProviderTimeoutError when the answer does not arrive
   * within `timeoutMs` (slow provider, or a lost answer); the provider's side still completes.
   */
  async charge(request: ChargeRequest): Promise<ChargeResult> {
    return this.call(request.idempotencyKey, (settings) => this.process(request, settings));
  }

  /**
   * Refunds an approved charge in full, once per idempotency key and once per charge. Same latency,
   * lost answers and timeouts as a charge: retry a timeout with the same key.
   */
  async refund(request: RefundRequest): Promise<RefundResult> {
    return this.call(request.idempotencyKey, (settings) => this.processRefund(request, settings));
  }

  /** One network call to the provider: `side` is the provider's work, which goes on if we give up. */
  private async call<T>(idempotencyKey: string, side: (settings: PspSettings) => Promise<T>): Promise<T> {
    const settings = this.settings(); // one call sees one set of settings
    const started = Date.now();
    const answerLost = this.random() < settings.timeoutRate;
    const work = side(settings);
    // The provider keeps working after the caller gave up (that is what makes timeouts nasty).
    work.catch(() => undefined);

    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new ProviderTimeoutError(idempotencyKey, settings.timeoutMs)),
        settings.timeoutMs,
      );
    });
    try {
      const result = await Promise.race([work, deadline]);
      if (answerLost) {
        // Done (charged or refunded), but the answer never reaches us: we wait out our timeout and see nothing.
        await Promise.race([sleep(Math.max(0, settings.timeoutMs - (Date.now() - started))), deadline]);
        throw new ProviderTimeoutError(idempotencyKey, settings.timeoutMs);
      }
      return result;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The provider's side: latency, then decide once per key and remember the decision. */
  private async process(request: ChargeRequest, settings: PspSettings): Promise<ChargeResult> {
    await sleep(settings.latencyMs * (0.5 + this.random()));
    const existing = await this.ledger.find(request.idempotencyKey);
    const { stored, created } = existing
      ? { stored: existing, created: false }
      : await this.ledger.record({
          idempotencyKey: request.idempotencyKey,
          amountCents: request.amountCents,
          outcome: this.random() < settings.failureRate ? 'declined' : 'approved',
        });
    if (stored.amountCents !== request.amountCents) {
      throw new IdempotencyConflictError(request.idempotencyKey, stored.amountCents, request.amountCents);
    }
    return {
      ...stored,
      replayed: !created,
      ...(stored.outcome === 'declined' ? { declineReason: DECLINE_REASON } : {}),
    };
  }

  /** The provider's side of a refund: only an approved charge, for at most what was charged. */
  private async processRefund(request: RefundRequest, settings: PspSettings): Promise<RefundResult> {
    await sleep(settings.latencyMs * (0.5 + this.random()));
    const charge = await this.ledger.find(request.chargeKey);
    if (charge?.outcome !== 'approved') throw new RefundRejectedError(request, 'no approved charge');
    if (request.amountCents > charge.amountCents) {
      throw new RefundRejectedError(request, `more than the ${charge.amountCents} cents charged`);
    }
    const recorded = await this.ledger.recordRefund(request);
    if (!recorded) throw new RefundRejectedError(request, 'the charge was already refunded');
    const { stored, created } = recorded;
    if (stored.chargeKey !== request.chargeKey || stored.amountCents !== request.amountCents) {
      throw new IdempotencyConflictError(request.idempotencyKey, stored.amountCents, request.amountCents);
    }
    return { ...stored, replayed: !created };
  }
}

interface ChargeRow {
  idempotency_key: string;
  amount_cents: string;
  outcome: ChargeOutcome;
}

const toRecord = (row: ChargeRow): ChargeRecord => ({
  idempotencyKey: row.idempotency_key,
  amountCents: Number(row.amount_cents),
  outcome: row.outcome,
});

interface RefundRow {
  idempotency_key: string;
  charge_key: string;
  amount_cents: string;
}

const toRefund = (row: RefundRow): RefundRecord => ({
  idempotencyKey: row.idempotency_key,
  chargeKey: row.charge_key,
  amountCents: Number(row.amount_cents),
});

/** The provider's ledger in Postgres: the primary key on the idempotency key makes "once" hold under races. */
export class PgChargeLedger implements ChargeLedger {
  constructor(
    private readonly dataSource: DataSource,
    private readonly schema: string,
  ) {}

  async find(idempotencyKey: string): Promise<ChargeRecord | undefined> {
    const rows: ChargeRow[] = await this.dataSource.query(
      `SELECT idempotency_key, amount_cents, outcome FROM "${this.schema}".psp_charges WHERE idempotency_key = $1`,
      [idempotencyKey],
    );
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async record(charge: ChargeRecord): Promise<{ stored: ChargeRecord; created: boolean }> {
    const inserted: ChargeRow[] = await this.dataSource.query(
      `INSERT INTO "${this.schema}".psp_charges (idempotency_key, amount_cents, outcome) VALUES ($1, $2, $3)
       ON CONFLICT (idempotency_key) DO NOTHING RETURNING idempotency_key, amount_cents, outcome`,
      [charge.idempotencyKey, charge.amountCents, charge.outcome],
    );
    if (inserted[0]) return { stored: toRecord(inserted[0]), created: true };
    // A concurrent call with the same key won the insert: its decision stands.
    const existing = await this.find(charge.idempotencyKey);
    if (!existing) throw new Error(`psp charge ${charge.idempotencyKey} vanished`);
    return { stored: existing, created: false };
  }

  async recordRefund(refund: RefundRecord): Promise<{ stored: RefundRecord; created: boolean } | undefined> {
    // Conflicts on the key (a repeat) or on charge_key UNIQUE (a second refund of the charge).
    const inserted: RefundRow[] = await this.dataSource.query(
      `INSERT INTO "${this.schema}".psp_refunds (idempotency_key, charge_key, amount_cents) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING idempotency_key, charge_key, amount_cents`,
      [refund.idempotencyKey, refund.chargeKey, refund.amountCents],
    );
    if (inserted[0]) return { stored: toRefund(inserted[0]), created: true };
    const existing: RefundRow[] = await this.dataSource.query(
      `SELECT idempotency_key, charge_key, amount_cents FROM "${this.schema}".psp_refunds WHERE idempotency_key = $1`,
      [refund.idempotencyKey],
    );
    return existing[0] ? { stored: toRefund(existing[0]), created: false } : undefined;
  }
}
