// `.infra/env`: the services' env for the local stack, as KEY=VALUE lines (handy for `set -a; . .infra/env`).
import { localInfraEnv } from '@sdp/topology';

export const renderEnvFile = (env: Record<string, string> = localInfraEnv()): string =>
  `${Object.entries(env)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n')}\n`;
