/**
 * One Idempotency-Key per checkout attempt. Retrying the same attempt after a network error or a
 * 5xx reuses the key, so orders answers with the order it already placed instead of placing a
 * second one. Once the API gave a definite answer (accepted, or refused with a 4xx), the attempt
 * is over and the next click is a new attempt with a new key.
 */
export class CheckoutAttempts {
  private current: string | null = null;

  constructor(private readonly newKey: () => string = () => crypto.randomUUID()) {}

  /** The key for the request about to be sent: the pending attempt's, or a fresh one. */
  key(): string {
    this.current ??= this.newKey();
    return this.current;
  }

  /** The request got a definite answer: the next checkout is a new attempt. */
  settle(): void {
    this.current = null;
  }

  /** Whether a retry would reuse a key (an earlier send of this attempt had no definite answer). */
  get pending(): boolean {
    return this.current !== null;
  }
}
