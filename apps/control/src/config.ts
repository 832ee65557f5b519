import {
  csv,
  internalAuthSecret,
  loadConfig,
  positiveInt,
  serviceConfigShape,
  url,
  withInstanceId,
} from '@sdp/config';
import { cdn } from '@sdp/topology';
import { z } from 'zod';

export const controlConfigSchema = z
  .object({
    ...serviceConfigShape('control', 3800),
    /** Signs the simulated buyers' and the admin's identity for calls through the lb (like the gateway). */
    INTERNAL_AUTH_SECRET: internalAuthSecret(),
    /** The lb: scenarios call services through it, as services call each other. */
    LB_URL: url(['http', 'https']),
    /** The edge: probed for the diagram's edge box. */
    EDGE_URL: url(['http', 'https']),
    REDIS_CACHE_URL: url(['redis']),
    REDIS_LOCK_URLS: csv('each lock node must be a redis:// URL', (item) => item.startsWith('redis://')),
    /**
     * The native runner's control channel (pnpm stack, test stacks): where every replica runs and
     * how to kill or restart one. Unset (compose): replicas are found through DNS and fault
     * scenarios are shown disabled with the reason.
     */
    RUNNER_URL: url(['http']).optional(),
    RUNNER_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    /**
     * The CDN of @sdp/topology (docs/cdn.md): one edge URL per region in topology order (the home
     * region's first), the origin shield and the media origin, whose /metrics carry the edges'
     * HIT/MISS/STALE counters. pnpm stack, the e2e stacks and compose set all three. Unset: no CDN
     * boxes, and the CDN scenario is disabled with the reason.
     */
    CDN_EDGE_URLS: csv('each edge must be an http:// URL', (item) => /^https?:\/\/[^\s/]+$/.test(item))
      .refine((urls) => urls.length === cdn.regions.length, {
        message: `must list one edge per region of the topology (${cdn.regions.map((r) => r.region).join(', ')})`,
      })
      .optional(),
    CDN_SHIELD_URL: url(['http', 'https']).optional(),
    MEDIA_ORIGIN_URL: url(['http', 'https']).optional(),
    /** How often the observer scrapes while someone watches. */
    SCRAPE_INTERVAL_MS: positiveInt(1_000),
    /** Per-target scrape timeout: a replica slower than this counts as down for that tick. */
    SCRAPE_TIMEOUT_MS: positiveInt(800),
  })
  .superRefine((config, ctx) => {
    if (config.RUNNER_URL && !config.RUNNER_SECRET)
      ctx.addIssue({
        code: 'custom',
        path: ['RUNNER_SECRET'],
        message: 'is required when RUNNER_URL is set',
      });
    for (const name of ['CDN_SHIELD_URL', 'MEDIA_ORIGIN_URL'] as const)
      if (config.CDN_EDGE_URLS && !config[name])
        ctx.addIssue({ code: 'custom', path: [name], message: 'is required when CDN_EDGE_URLS is set' });
  });

export type ControlConfig = z.infer<typeof controlConfigSchema> & { INSTANCE_ID: string };

export const CONTROL_CONFIG = Symbol('CONTROL_CONFIG');

export const loadControlConfig = (env: NodeJS.ProcessEnv = process.env): ControlConfig =>
  withInstanceId('control', loadConfig(controlConfigSchema, env));
