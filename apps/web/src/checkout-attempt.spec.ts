import { CheckoutAttempts } from './checkout-attempt';

describe(CheckoutAttempts.name, () => {
  const counter = () => {
    let n = 0;
    return () => `key-${++n}`;
  };

  it('reuses the key while the attempt has no definite answer (retry after a network error)', () => {
    const attempts = new CheckoutAttempts(counter());
    expect(attempts.pending).toBe(false);
    expect(attempts.key()).toBe('key-1');
    expect(attempts.pending).toBe(true);
    expect(attempts.key()).toBe('key-1');
  });

  it('starts a new attempt with a new key once the API answered', () => {
    const attempts = new CheckoutAttempts(counter());
    attempts.key();
    attempts.settle();
    expect(attempts.pending).toBe(false);
    expect(attempts.key()).toBe('key-2');
  });

  it('uses random UUIDs by default', () => {
    const a = new CheckoutAttempts();
    const b = new CheckoutAttempts();
    expect(a.key()).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.key()).not.toBe(b.key());
  });
});
