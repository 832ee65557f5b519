// The nginx configs for docker compose: the same templates as the native stack (infra/nginx,
// rendered by infra/local's renderer), with compose host names and container paths. Docker's DNS
// answers a service name with every replica's address, so one `server catalog:3100` line becomes
// one upstream server per replica when nginx loads the config. The CDN is laid out as in
// `pnpm stack` (infra/local/src/cdn/regions.ts): the home edge reaches the gateways and the shield
// directly, a remote region's edge sends its /api/ and /media/ misses over its WAN link.
import fs from 'node:fs';
import path from 'node:path';
import { cdn, type CdnRegion, services, proxies } from '@sdp/topology';
import { renderEdgeConf, renderLbConf, renderShieldConf } from '../../local/src/nginx/render';

export const composeDir = path.resolve(__dirname, '..');
export const renderedDir = path.join(composeDir, 'nginx');

/** The compose network's subnet (docker-compose.yml pins it): refreshes are honoured from inside it. */
export const composeSubnet = '172.28.0.0/16';

/**
 * The refresh token is a secret derived from INTERNAL_AUTH_SECRET, so the committed edge config
 * carries this marker instead; the nginx image's envsubst step puts ${EDGE_REFRESH_TOKEN} in at start.
 */
export const REFRESH_TOKEN_MARKER = 'EDGE_REFRESH_TOKEN_FILLED_IN_BY_ENVSUBST';

/** Everything nginx writes lives here (the official image's nginx user owns /var/cache/nginx). */
const stateDir = (role: string) => `/var/cache/nginx/sdp-${role}`;

const files = (role: string) => ({
  stateDir: stateDir(role),
  pidFile: `${stateDir(role)}/nginx.pid`,
  errorLog: '/dev/stderr',
  accessLog: '/dev/stdout',
  user: 'nginx',
});

export const STOREFRONT_ROOT = '/usr/share/nginx/html';

export function renderComposeLb(): string {
  const upstreams: Record<string, string[]> = {};
  for (const spec of services)
    if (spec.name !== 'gateway') upstreams[spec.name] = [`${spec.name}:${spec.basePort}`];
  return renderLbConf({ ...files('lb'), listen: String(proxies.lb.port), upstreams });
}

const gatewayAddress = (): string => {
  const gateway = services.find((s) => s.name === 'gateway')!;
  return `${gateway.name}:${gateway.basePort}`;
};
const address = (node: { name: string; port: number }): string => `${node.name}:${node.port}`;

/**
 * One region's edge. Every edge runs in a container of its own built from the same edge image, so
 * all of them keep their files under /var/cache/nginx/sdp-edge (the directory the image prepares).
 */
export function renderComposeEdge(region: CdnRegion = cdn.regions[0]): string {
  const upstream = region.link ? address(region.link) : undefined;
  return renderEdgeConf({
    ...files('edge'),
    listen: String(region.edgePort),
    gateways: [upstream ?? gatewayAddress()],
    webRoot: STOREFRONT_ROOT,
    cacheDir: `${stateDir('edge')}/cache`,
    internalAllow: ['127.0.0.1', composeSubnet],
    refreshToken: REFRESH_TOKEN_MARKER,
    selfAddress: `127.0.0.1:${region.edgePort}`,
    region: region.region,
    mediaServers: [upstream ?? address(cdn.shield)],
    cdnLog: `${cdn.mediaOrigin.name}:${cdn.logCollector.port}`,
  }).replace(REFRESH_TOKEN_MARKER, '${EDGE_REFRESH_TOKEN}');
}

export function renderComposeShield(): string {
  return renderShieldConf({
    ...files('shield'),
    listen: String(cdn.shield.port),
    mediaServers: [address(cdn.mediaOrigin)],
    gateways: [gatewayAddress()],
    cacheDir: `${stateDir('shield')}/cache`,
  });
}

/** The edge config's file name for a region: `edge.conf.template`, `edge-us.conf.template`, ... */
export const edgeTemplateName = (region: CdnRegion): string => `${region.edge}.conf.template`;

/** File name (under infra/compose/nginx) → content. Edges are envsubst templates of the nginx image. */
export const renderAll = (): Record<string, string> => ({
  'lb.conf': renderComposeLb(),
  'shield.conf': renderComposeShield(),
  ...Object.fromEntries(cdn.regions.map((r) => [edgeTemplateName(r), renderComposeEdge(r)])),
});

export function writeAll(dir = renderedDir): string[] {
  fs.mkdirSync(dir, { recursive: true });
  return Object.entries(renderAll()).map(([name, text]) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  });
}
