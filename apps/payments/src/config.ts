import { internalAuthSecret, loadConfig, positiveInt, serviceConfigShape, withInstanceId } from '@sdp/config';
import { z } from 'zod';

/** A probability from env: "0.1" → 0.1, refused outside 0..1. */
const rate = (fallback: number) =>
  z.coerce
    .number({ message: 'must be a number' })
    .min(0, 'must be between 0 and 1')
    .max(1, 'must be between 0 and 1')
    .default(fallback);

export const MAX_PSP_LATENCY_MS = 10_000;

export const paymentsConfigSchema = z.object({
  ...serviceConfigShape('payments', 3400),
  INTERNAL_AUTH_SECRET: internalAuthSecret(),
  /** Mean simulated provider latency (each call draws between half and one and a half times this). */
  PSP_LATENCY_MS: z.coerce
    .number({ message: 'must be a number' })
    .int('must be an integer')
    .min(0, `must be between 0 and ${MAX_PSP_LATENCY_MS}`)
    .max(MAX_PSP_LATENCY_MS, `must be between 0 and ${MAX_PSP_LATENCY_MS}`)
    .default(50),
  /** Probability that the provider declines a charge. */
  PSP_FAILURE_RATE: rate(0.1),
  /** Probability that the answer is lost after the provider recorded the charge (the caller sees a timeout). */
  PSP_TIMEOUT_RATE: rate(0),
  /** How long the payments service waits for the provider before giving up on a call. */
  PSP_TIMEOUT_MS: positiveInt(2_000),
});

export type PaymentsConfig = z.infer<typeof paymentsConfigSchema> & { INSTANCE_ID: string };

export const PAYMENTS_CONFIG = Symbol('PAYMENTS_CONFIG');

export const loadPaymentsConfig = (env: NodeJS.ProcessEnv = process.env): PaymentsConfig =>
  withInstanceId('payments', loadConfig(paymentsConfigSchema, env));
