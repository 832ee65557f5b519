import { z } from 'zod';

// The payment simulator's settings (/api/admin/psp).

export const MAX_PSP_LATENCY_MS = 10_000;
const rate = z.number().min(0).max(1);

export const pspSettings = z
  .object({
    latencyMs: z.int().min(0).max(MAX_PSP_LATENCY_MS).describe('mean latency of a PSP call'),
    failureRate: rate.describe('probability that a new charge is declined'),
    timeoutRate: rate.describe("probability that a call's answer is lost after the charge was recorded"),
  })
  .meta({ id: 'PspSettings' });
export type PspSettings = z.infer<typeof pspSettings>;

/** PUT /api/admin/psp: any of the settings. */
export const pspSettingsChange = pspSettings.partial();
