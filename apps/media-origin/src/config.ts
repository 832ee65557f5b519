import path from 'node:path';
import { loadConfig, port, positiveInt, withInstanceId } from '@sdp/config';
import { z } from 'zod';

export const mediaOriginConfigSchema = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: port(8090),
  INSTANCE_ID: z
    .string()
    .regex(/^[\w.-]+$/, 'must be letters, digits, ".", "_" or "-"')
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** The bucket: masters (the "uploads") and the renditions made from them. Created if missing. */
  MEDIA_BUCKET_DIR: z
    .string({ message: 'is required (the directory standing for the object store)' })
    .refine((dir) => path.isAbsolute(dir), 'must be an absolute path'),
  /** How long a shared cache may keep the mutable alias (a URL without the content hash). */
  MEDIA_ALIAS_MAX_AGE_SECONDS: positiveInt(60),
  /** UDP port of the CDN log collector (the edges' syslog lines about /media); unset: none. */
  CDN_LOG_UDP_PORT: port().optional(),
});

export type MediaOriginConfig = z.infer<typeof mediaOriginConfigSchema> & { INSTANCE_ID: string };

export const MEDIA_ORIGIN_CONFIG = Symbol('MEDIA_ORIGIN_CONFIG');

export const loadMediaOriginConfig = (env: NodeJS.ProcessEnv = process.env): MediaOriginConfig =>
  withInstanceId('media', loadConfig(mediaOriginConfigSchema, env));
