// What `pnpm stack` adds for the CDN: the media origin as one more supervised process (logs,
// readiness, crash reports like any replica), the ports to check before starting, and the lines
// the summary prints about each region.
import path from 'node:path';
import { cdn, cdnPort, mediaOriginUrl } from '@sdp/topology';
import type { InfraPaths } from '../paths';
import type { Replica } from '../replicas';
import type { StackProxies } from '../nginx/stack-proxies';

export function mediaOriginReplica(paths: InfraPaths, repoRoot: string, host = '127.0.0.1'): Replica {
  const port = cdnPort(cdn.mediaOrigin.port);
  const id = `${cdn.mediaOrigin.name}-1`;
  return {
    id,
    service: cdn.mediaOrigin.name,
    port,
    url: `http://${host}:${port}`,
    entry: path.join(repoRoot, 'apps', 'media-origin', 'dist', 'main.js'),
    env: {
      HOST: host,
      PORT: String(port),
      INSTANCE_ID: id,
      // The object store stand-in: masters and renditions, kept across runs (immutable by name).
      MEDIA_BUCKET_DIR: path.join(paths.root, 'media', 'bucket'),
      CDN_LOG_UDP_PORT: String(cdnPort(cdn.logCollector.port)),
    },
  };
}

/** TCP ports of the CDN nodes that must be free before the stack starts (the home edge is checked as `edge`). */
export const cdnTcpPorts = (): { name: string; port: number }[] => [
  { name: cdn.shield.name, port: cdnPort(cdn.shield.port) },
  ...cdn.regions.flatMap((r) => [
    ...(r.edge === 'edge' ? [] : [{ name: r.edge, port: cdnPort(r.edgePort) }]),
    ...(r.link ? [{ name: r.link.name, port: cdnPort(r.link.port) }] : []),
  ]),
];

export function cdnSummary(proxies: StackProxies): string {
  const lines = proxies.cdn.regions.map(
    (r) =>
      `  ${r.region.padEnd(9)} ${r.edge.url}${r.rttMs > 0 ? `  (+${r.rttMs} ms RTT to the origin over ${r.link!.url})` : '  (home region, next to the origin)'}`,
  );
  return [
    'CDN regions (each edge serves the storefront, /api and /media):',
    ...lines,
    `  shield    ${proxies.cdn.shield.url}   media origin ${mediaOriginUrl()}   metrics ${mediaOriginUrl()}/metrics (cdn_media_*)`,
  ].join('\n');
}
