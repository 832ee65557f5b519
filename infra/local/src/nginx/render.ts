// Renders the nginx configs from infra/nginx/*.template: `{{name}}` is a value, `{{> path}}` inlines
// another file of infra/nginx (so each rendered nginx.conf stands alone). Pure apart from reading
// the templates; the same output serves the native stack, the tests and (later) docker compose.
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../workspace';

export const nginxTemplateDir = path.join(repoRoot, 'infra', 'nginx');

export type NginxRole = 'lb' | 'edge' | 'shield';

/** Where one nginx instance keeps its files. */
export interface NginxFiles {
  /** Temp files (and the edge's cache) go under it. */
  stateDir: string;
  pidFile: string;
  errorLog: string;
  accessLog: string;
  /** `user nobody nogroup` when the master runs as root (workers then drop to it); else none. */
  user?: string;
}

export interface LbConfOptions extends NginxFiles {
  /** `host:port` nginx listens on, e.g. 127.0.0.1:8081. */
  listen: string;
  /** Replica addresses (`host:port`) per service; every service gets an upstream and a prefix. */
  upstreams: Record<string, readonly string[]>;
  /** Prefixes whose responses stream (SSE): no buffering, long read timeout. */
  streaming?: readonly string[];
}

export interface EdgeConfOptions extends NginxFiles {
  listen: string;
  /** Gateway replica addresses (`host:port`). */
  gateways: readonly string[];
  /** The storefront build (apps/web/dist); may not exist yet (then `/` answers 404). */
  webRoot: string;
  cacheDir: string;
  /** Addresses/CIDRs whose X-Cache-Refresh is honoured (with the token). */
  internalAllow: readonly string[];
  /** The value X-Cache-Refresh must carry; see edgeRefreshToken. */
  refreshToken: string;
  /** How the edge reaches itself (its catalog-version entry is filled from its own listener). */
  selfAddress: string;
  /** The region this edge stands for (X-Edge-Region, CDN metrics); default eu-west, the home region. */
  region?: string;
  /** Where /media/ goes (`host:port`: the shield, a WAN link, or the origin); none: /media/ is a 404. */
  mediaServers?: readonly string[];
  /** `host:port` of the CDN log collector (UDP syslog): a line per /media and /api/ response; none: no lines. */
  cdnLog?: string;
}

export interface ShieldConfOptions extends NginxFiles {
  listen: string;
  /** Media origin addresses (`host:port`). */
  mediaServers: readonly string[];
  /** Gateway addresses (`host:port`): the edges' /api/ passes through to them, uncached. */
  gateways: readonly string[];
  cacheDir: string;
  /** false: the shield only routes (every edge miss reaches the origin). Default true. */
  cache?: boolean;
}

/** Notifications streams server-sent events. */
export const defaultStreaming = ['notifications'] as const;

/** The refresh token the edge accepts (derived from INTERNAL_AUTH_SECRET; see @sdp/identity). */
export { edgeRefreshToken } from '@sdp/identity';

const ADDRESS = /^[\w.-]+:\d{1,5}$/;
const CIDR = /^[\d.:a-fA-F]+(\/\d{1,3})?$/;

function checkAddresses(what: string, addresses: readonly string[]): void {
  if (addresses.length === 0) throw new Error(`${what}: at least one address is needed`);
  for (const a of addresses) if (!ADDRESS.test(a)) throw new Error(`${what}: "${a}" is not host:port`);
}

/** Replaces `{{> file}}` (recursively) and `{{name}}`; any placeholder left unfilled is an error. */
export function renderTemplate(
  text: string,
  values: Record<string, string>,
  readFile: (relative: string) => string = (rel) =>
    fs.readFileSync(path.join(nginxTemplateDir, rel), 'utf8').replace(/\n$/, ''),
  depth = 0,
): string {
  if (depth > 5) throw new Error('nginx templates: includes nested too deeply');
  const included = text.replace(/\{\{>\s*([\w./-]+)\s*\}\}/g, (_, file: string) =>
    renderTemplate(readFile(file), values, readFile, depth + 1),
  );
  return included.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`nginx templates: no value for {{${name}}}`);
    return value;
  });
}

const readTemplate = (name: string): string =>
  fs.readFileSync(path.join(nginxTemplateDir, `${name}.conf.template`), 'utf8');

const fileValues = (files: NginxFiles): Record<string, string> => ({
  user: files.user ? `user ${files.user};` : '# (not root: workers run as the current user)',
  stateDir: files.stateDir,
  pidFile: files.pidFile,
  errorLog: files.errorLog,
  accessLog: files.accessLog,
});

/** `server` lines of an upstream: passive health (2 failures in 5 s take a replica out for 5 s). */
const serverLines = (addresses: readonly string[], indent: string): string =>
  addresses.map((a) => `${indent}server ${a} max_fails=2 fail_timeout=5s;`).join('\n');

export function renderLbConf(options: LbConfOptions): string {
  const names = Object.keys(options.upstreams);
  if (names.length === 0) throw new Error('lb: no services to balance');
  for (const name of names) {
    if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`lb: "${name}" is not a service name`);
    checkAddresses(`lb upstream ${name}`, options.upstreams[name]);
  }
  const streaming = new Set(options.streaming ?? defaultStreaming);
  const upstreams = names
    .map((name) =>
      [
        `  upstream ${name} {`,
        '    least_conn;',
        serverLines(options.upstreams[name], '    '),
        '    keepalive 32;',
        '  }',
      ].join('\n'),
    )
    .join('\n');
  const proxy = renderTemplate('{{> snippets/proxy-http11.conf}}', {});
  const locations = names
    .map((name) => {
      const lines = [`    location /${name}/ {`, `      proxy_pass http://${name}/;`, proxy];
      if (streaming.has(name))
        lines.push(
          '      # Server-sent events: pass every byte at once, keep idle streams open.',
          '      proxy_buffering off;',
          '      proxy_read_timeout 1h;',
        );
      lines.push('    }');
      return lines.join('\n');
    })
    .join('\n');
  return renderTemplate(readTemplate('lb'), {
    ...fileValues(options),
    listen: options.listen,
    upstreams,
    locations,
  });
}

const REGION = /^[a-z][a-z0-9-]{0,31}$/;

/** The syslog access_log line of one tier (`cdn_media`, `cdn_api`), or a comment without a collector. */
function cdnSyslog(options: EdgeConfOptions, format: 'cdn_media' | 'cdn_api'): string {
  if (options.cdnLog === undefined) return '      # (no CDN log collector)';
  checkAddresses('edge cdnLog', [options.cdnLog]);
  return `      access_log syslog:server=${options.cdnLog},tag=${format},nohostname ${format};`;
}

function mediaBlocks(
  options: EdgeConfOptions,
  region: string,
): { mediaUpstream: string; mediaLocation: string } {
  if (!options.mediaServers)
    return {
      mediaUpstream: '',
      mediaLocation: renderTemplate('{{> snippets/edge-media-none.conf}}', {}),
    };
  checkAddresses('edge mediaServers', options.mediaServers);
  const mediaSyslog = cdnSyslog(options, 'cdn_media');
  return {
    mediaUpstream: [
      '  upstream media_origin {',
      serverLines(options.mediaServers, '    '),
      '    keepalive 16;',
      '  }',
    ].join('\n'),
    mediaLocation: renderTemplate('{{> snippets/edge-media.conf}}', {
      region,
      accessLog: options.accessLog,
      mediaSyslog,
    }),
  };
}

export function renderShieldConf(options: ShieldConfOptions): string {
  checkAddresses('shield mediaServers', options.mediaServers);
  checkAddresses('shield gateways', options.gateways);
  return renderTemplate(readTemplate('shield'), {
    ...fileValues(options),
    listen: options.listen,
    mediaServers: serverLines(options.mediaServers, '    '),
    gatewayServers: serverLines(options.gateways, '    '),
    cacheDir: options.cacheDir,
    shieldCache: options.cache === false ? 'off' : 'shield_media',
  });
}

export function renderEdgeConf(options: EdgeConfOptions): string {
  const region = options.region ?? 'eu-west';
  if (!REGION.test(region)) throw new Error(`edge: region "${region}" must be a lowercase name like us-east`);
  checkAddresses('edge gateways', options.gateways);
  checkAddresses('edge selfAddress', [options.selfAddress]);
  if (options.internalAllow.length === 0) throw new Error('edge: internalAllow needs at least one address');
  for (const a of options.internalAllow)
    if (!CIDR.test(a)) throw new Error(`edge internalAllow: "${a}" is not an address or CIDR`);
  if (!/^[\w-]{16,}$/.test(options.refreshToken))
    throw new Error('edge: refreshToken must be at least 16 word characters');
  return renderTemplate(readTemplate('edge'), {
    ...fileValues(options),
    listen: options.listen,
    gatewayServers: serverLines(options.gateways, '    '),
    webRoot: options.webRoot,
    cacheDir: options.cacheDir,
    internalAllow: options.internalAllow.map((a) => `    ${a} 1;`).join('\n'),
    refreshToken: options.refreshToken,
    selfAddress: options.selfAddress,
    region,
    apiSyslog: cdnSyslog(options, 'cdn_api'),
    ...mediaBlocks(options, region),
  });
}
