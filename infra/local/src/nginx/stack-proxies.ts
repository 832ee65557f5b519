// The two nginx instances of `pnpm stack`: the lb over every non-gateway replica and the edge over
// the gateways, their files under .infra/nginx/<role>, logs in .infra/logs/nginx-<role>*.log.
import fs from 'node:fs';
import path from 'node:path';
import { proxyPort } from '@sdp/topology';
import type { InfraPaths } from '../paths';
import type { Replica } from '../replicas';
import { waitFor } from '../wait';
import { startNginx, type NginxInstance } from './nginx-process';
import { edgeRefreshToken } from './render';

export interface StackProxies {
  lb: NginxInstance;
  edge: NginxInstance;
  stop(): Promise<void>;
}

/** Replica addresses per service, in topology order. */
export function upstreamsOf(replicas: readonly Replica[]): Record<string, string[]> {
  const upstreams: Record<string, string[]> = {};
  for (const r of replicas) (upstreams[r.service] ??= []).push(new URL(r.url).host);
  return upstreams;
}

export async function startStackProxies(
  replicas: readonly Replica[],
  options: { paths: InfraPaths; repoRoot: string; internalAuthSecret: string },
): Promise<StackProxies> {
  const { gateway = [], ...services } = upstreamsOf(replicas);
  const dir = (role: string) => path.join(options.paths.root, 'nginx', role);
  const lb = await startNginx({
    role: 'lb',
    dir: dir('lb'),
    port: proxyPort('lb'),
    logsDir: options.paths.logs,
    upstreams: services,
  });
  let edge: NginxInstance;
  // The origin may have changed while the stack was down (an admin edit, `infra:down --wipe`): an
  // edge starting with the last run's entries could serve what the database no longer holds.
  fs.rmSync(path.join(dir('edge'), 'cache'), { recursive: true, force: true });
  try {
    edge = await startNginx({
      role: 'edge',
      dir: dir('edge'),
      port: proxyPort('edge'),
      logsDir: options.paths.logs,
      gateways: gateway,
      webRoot: path.join(options.repoRoot, 'apps', 'web', 'dist'),
      refreshToken: edgeRefreshToken(options.internalAuthSecret),
    });
  } catch (err) {
    await lb.stop();
    throw err;
  }
  return {
    lb,
    edge,
    stop: async () => {
      await edge.stop(); // the public side first: no new requests while the rest goes
      await lb.stop();
    },
  };
}

/** A GET through each proxy: every service's /ready through the lb (must pass), a catalog read through the edge. */
export async function checkThrough(
  proxies: StackProxies,
  services: readonly string[],
  timeoutMs: number,
): Promise<{ edgeOk: boolean; edgeDetail: string }> {
  await Promise.all(
    services.map((service) =>
      waitFor(
        async () =>
          (await fetch(`${proxies.lb.url}/${service}/ready`, { signal: AbortSignal.timeout(2_000) }))
            .status === 200,
        {
          timeoutMs,
          intervalMs: 250,
          what: `${service} /ready through the lb (${proxies.lb.url}/${service}/ready)`,
        },
      ),
    ),
  );
  const probe = `${proxies.edge.url}/api/products?limit=1`;
  try {
    const res = await fetch(probe, { signal: AbortSignal.timeout(5_000) });
    return { edgeOk: res.status === 200, edgeDetail: `GET ${probe} -> ${res.status}` };
  } catch (err) {
    return { edgeOk: false, edgeDetail: `GET ${probe} failed: ${(err as Error).message}` };
  }
}
