// A simulated payment service provider (PSP), modelled on how real ones (Stripe, Adyen) behave:
// - every call takes a while (latency) and may be declined (failure rate);
// - a call carries an idempotency key; the provider decides the outcome ONCE per key and answers a
//   repeated call with the recorded outcome instead of charging again;
// - the answer can be lost after the provider already charged (timeout rate): the caller sees a
//   timeout and cannot tell whether money moved. Retrying with the same key is the only safe move.
//
// The provider's own ledger (`psp_charges`) lives in the payments schema only because the simulator
// needs somewhere durable; conceptually it is the provider's database, not ours.
import type { DataSource } from 'typeorm';

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

/** Where the provider remembers what it decided per idempotency key. */
export interface ChargeLedger {
  find(idempotencyKey: string): Promise<ChargeRecord | undefined>;
  /** Stores the record unless the key exists; returns what is stored (the first writer wins). */
  record(charge: ChargeRecord): Promise<{ stored: ChargeRecord; created: boolean }>;
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

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

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
    const settings = this.settings(); // one call sees one set of settings
    const started = Date.now();
    const answerLost = this.random() < settings.timeoutRate;
    const work = this.process(request, settings);
    // The provider keeps working after the caller gave up (that is what makes timeouts nasty).
    work.catch(() => undefined);

    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new ProviderTimeoutError(request.idempotencyKey, settings.timeoutMs)),
        settings.timeoutMs,
      );
    });
    try {
      const result = await Promise.race([work, deadline]);
      if (answerLost) {
        // Charged, but the answer never reaches us: we wait out our timeout and see nothing.
        await Promise.race([sleep(Math.max(0, settings.timeoutMs - (Date.now() - started))), deadline]);
        throw new ProviderTimeoutError(request.idempotencyKey, settings.timeoutMs);
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
}
