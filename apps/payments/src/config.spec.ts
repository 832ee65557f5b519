import { ConfigError } from '@sdp/config';
import { loadPaymentsConfig } from './config';

const valid = {
  DATABASE_URL: 'postgres://sdp:pw@127.0.0.1:55432/sdp',
  KAFKA_BROKERS: '127.0.0.1:59092',
  INTERNAL_AUTH_SECRET: 'x'.repeat(32),
};

describe(loadPaymentsConfig.name, () => {
  it('applies the simulator defaults', () => {
    expect(loadPaymentsConfig(valid)).toMatchObject({
      PORT: 3400,
      INSTANCE_ID: 'payments-3400',
      DB_SCHEMA: 'payments',
      PSP_LATENCY_MS: 50,
      PSP_FAILURE_RATE: 0.1,
      PSP_TIMEOUT_RATE: 0,
      PSP_TIMEOUT_MS: 2_000,
    });
  });

  it('refuses rates outside 0..1, a bad latency and a short secret, naming each', () => {
    const attempt = () =>
      loadPaymentsConfig({
        ...valid,
        PSP_FAILURE_RATE: '1.5',
        PSP_TIMEOUT_RATE: 'often',
        PSP_LATENCY_MS: '20000',
        INTERNAL_AUTH_SECRET: 'short',
      });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/PSP_FAILURE_RATE: must be between 0 and 1/);
    expect(attempt).toThrow(/PSP_TIMEOUT_RATE: must be a number/);
    expect(attempt).toThrow(/PSP_LATENCY_MS: must be between 0 and 10000/);
    expect(attempt).toThrow(/INTERNAL_AUTH_SECRET: must be at least 32 characters/);
  });
});
