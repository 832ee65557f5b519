// The nginx instances of `pnpm stack`: the lb over every service replica, and the CDN (the origin
// shield over the media origin, one edge per region of @sdp/topology `cdn`, the home one being the
// `edge` on 8080, WAN links to the far ones), files under .infra/nginx/<name>, logs in
// .infra/logs/nginx-<name>*.log.
import fs from 'node:fs';
import path from 'node:path';
import { cdn, cdnPort, proxyPort } from '@sdp/topology';
import { startCdn, type CdnNodes } from '../cdn/regions';
import type { InfraPaths } from '../paths';
import type { Replica } from '../replicas';
import { waitFor } from '../wait';
import { startNginx, type NginxInstance } from './nginx-process';
import { edgeRefreshToken } from './render';

export interface StackProxies {
  lb: NginxInstance;
  /** The home region's edge: the public entry point. */
  edge: NginxInstance;
  cdn: CdnNodes;
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
  const { gateway = [], media = [], ...services } = upstreamsOf(replicas);
  const dir = (role: string) => path.join(options.paths.root, 'nginx', role);
  const lb = await startNginx({
    role: 'lb',
    dir: dir('lb'),
    port: proxyPort('lb'),
    logsDir: options.paths.logs,
    upstreams: services,
  });
  // The origin may have changed while the stack was down (an admin edit, `infra:down --wipe`): an
  // edge starting with the last run's entries could serve what the database no longer holds.
  for (const r of cdn.regions) {
    fs.rmSync(path.join(dir(r.edge), 'cache'), { recursive: true, force: true });
    fs.rmSync(path.join(dir(r.edge), 'cache-media'), { recursive: true, force: true });
  }
  let nodes: CdnNodes;
  try {
    nodes = await startCdn({
      dir: path.join(options.paths.root, 'nginx'),
      logsDir: options.paths.logs,
      shieldPort: cdnPort(cdn.shield.port),
      mediaOrigin: media.length > 0 ? media : [`127.0.0.1:${cdnPort(cdn.mediaOrigin.port)}`],
      gateways: gateway,
      refreshToken: edgeRefreshToken(options.internalAuthSecret),
      webRoot: path.join(options.repoRoot, 'apps', 'web', 'dist'),
      cdnLog: `127.0.0.1:${cdnPort(cdn.logCollector.port)}`,
      regions: cdn.regions.map((r) => ({
        region: r.region,
        // The home region's edge keeps the proxy's name (nginx-edge*.log, .infra/nginx/edge).
        name: r.edge,
        edgePort: r.edge === 'edge' ? proxyPort('edge') : cdnPort(r.edgePort),
        rttMs: r.rttMs,
        linkPort: r.link ? cdnPort(r.link.port) : undefined,
      })),
    });
  } catch (err) {
    await lb.stop();
    throw err;
  }
  return {
    lb,
    edge: nodes.regions[0].edge,
    cdn: nodes,
    stop: async () => {
      await nodes.stop(); // the public side first: no new requests while the rest goes
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
