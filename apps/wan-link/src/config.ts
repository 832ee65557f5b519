import { hostPort, loadConfig, port } from '@sdp/config';
import { z } from 'zod';

// The link as a process of its own (a container in docker compose): where it listens, the far side
// it forwards to, and the round-trip time it adds.
export const wanLinkConfigSchema = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: port(),
  /** `host:port` of the far side, e.g. `shield:8091`. */
  WAN_TARGET: z
    .string({ message: 'is required (host:port of the far side, e.g. shield:8091)' })
    .refine(hostPort, 'must be host:port, e.g. shield:8091'),
  /** Round-trip time added, in ms (each direction gets half). */
  WAN_RTT_MS: z.coerce
    .number({ message: 'must be a number of milliseconds' })
    .int('must be an integer')
    .min(0, 'must be from 0 to 10000')
    .max(10_000, 'must be from 0 to 10000'),
});

export type WanLinkConfig = z.infer<typeof wanLinkConfigSchema>;

export const loadWanLinkConfig = (env: NodeJS.ProcessEnv = process.env): WanLinkConfig =>
  loadConfig(wanLinkConfigSchema, env);

/** `shield:8091` → `{ host: 'shield', port: 8091 }` (validated by the schema). */
export const targetOf = (config: WanLinkConfig): { host: string; port: number } => {
  const at = config.WAN_TARGET.lastIndexOf(':');
  return { host: config.WAN_TARGET.slice(0, at), port: Number(config.WAN_TARGET.slice(at + 1)) };
};
