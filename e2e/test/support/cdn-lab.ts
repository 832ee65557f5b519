import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  freePorts,
  spawnService,
  TEST_INTERNAL_AUTH_SECRET,
  uniqueName,
  waitUntilReady,
  type ServiceProcess,
} from '@sdp/testing';
import { cdn } from '@sdp/topology';
import { startCdn, type CdnNodes } from '../../../infra/local/src/cdn/regions';
import { edgeRefreshToken } from '../../../infra/local/src/nginx';
import { startTestStack, type TestStack } from './stack';

// A private CDN for one test file: the built media origin as a real process with its own bucket,
// the shield, one edge per region of @sdp/topology (same names and latencies as `pnpm stack`, on
// free ports) and the WAN links. The edges' /api/ goes to `gateways` (a test stack's, or a port
// nobody listens on when a test is about pictures only).

const repoRoot = path.resolve(__dirname, '../../..');

export interface CdnLab {
  nodes: CdnNodes;
  media: ServiceProcess;
  /** Base URL of each region's edge, by region name. */
  edges: Record<string, string>;
  /** The edges' URLs in topology order (home first). */
  edgeUrls: string[];
  mediaUrl: string;
  /** Stops the media origin (the origin is down). */
  stopOrigin(): Promise<void>;
  /** SIGKILLs it (a crash), as the runner channel does. */
  killOrigin(): Promise<void>;
  /** Starts it again on the same port and bucket. */
  startOrigin(): Promise<void>;
  stop(): Promise<void>;
}

export interface CdnLabOptions {
  gateways?: string[];
  refreshToken: string;
  /** The mutable alias's TTL at the origin (short in tests that watch it expire). */
  aliasMaxAgeSeconds?: number;
  /** Ports for the regional edges, when the caller must know them first (e.g. for the catalog's EDGE_URLS). */
  edgePorts?: number[];
  /** Ports of the media origin and the shield, when the caller must know them first (control's env). */
  mediaPort?: number;
  shieldPort?: number;
}

export async function startCdnLab(options: CdnLabOptions): Promise<CdnLab> {
  const id = uniqueName('cdn');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${id}-`));
  const [freeMedia, freeShield, deadPort, udpPort, ...rest] = await freePorts(4 + cdn.regions.length * 2);
  const mediaPort = options.mediaPort ?? freeMedia;
  const shieldPort = options.shieldPort ?? freeShield;
  const edgePorts = options.edgePorts ?? rest.slice(0, cdn.regions.length);
  const linkPorts = rest.slice(cdn.regions.length);
  const env = {
    PORT: String(mediaPort),
    INSTANCE_ID: 'media-1',
    LOG_LEVEL: 'warn',
    MEDIA_BUCKET_DIR: path.join(dir, 'bucket'),
    MEDIA_ALIAS_MAX_AGE_SECONDS: String(options.aliasMaxAgeSeconds ?? 60),
    CDN_LOG_UDP_PORT: String(udpPort),
  };
  const entry = path.join(repoRoot, 'apps', 'media-origin', 'dist', 'main.js');
  let media = spawnService('media-1', entry, env);
  const cleanup: (() => Promise<unknown>)[] = [() => media.stop()];
  const stop = async () => {
    for (const step of cleanup.reverse()) await step();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilReady(media);
    const nodes = await startCdn({
      dir,
      shieldPort,
      mediaOrigin: [`127.0.0.1:${mediaPort}`],
      gateways: options.gateways ?? [`127.0.0.1:${deadPort}`],
      refreshToken: options.refreshToken,
      webRoot: path.join(repoRoot, 'apps', 'web', 'dist'),
      cdnLog: `127.0.0.1:${udpPort}`,
      regions: cdn.regions.map((r, i) => ({
        region: r.region,
        name: r.edge,
        edgePort: edgePorts[i],
        rttMs: r.rttMs,
        linkPort: r.rttMs > 0 ? linkPorts[i] : undefined,
      })),
    });
    cleanup.push(() => nodes.stop());
    return {
      nodes,
      get media() {
        return media;
      },
      edges: Object.fromEntries(nodes.regions.map((r) => [r.region, r.edge.url])),
      edgeUrls: nodes.regions.map((r) => r.edge.url),
      mediaUrl: `http://127.0.0.1:${mediaPort}`,
      stopOrigin: async () => {
        await media.stop();
      },
      killOrigin: async () => {
        await media.kill();
      },
      startOrigin: async () => {
        media = spawnService('media-1', entry, env);
        await waitUntilReady(media);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * A private full stack (startTestStack with its edge) plus the CDN lab in front of its gateways:
 * the catalog refreshes every lab edge (EDGE_URLS), so a product change reaches all regions, and
 * control watches the lab (its home edge is control's EDGE_URL, every region and the media origin
 * are drawn, and the runner channel may kill and start the media origin).
 */
export async function startStackWithCdn(
  settings: Parameters<typeof startTestStack>[0] = {},
  options: { aliasMaxAgeSeconds?: number } = {},
): Promise<{ stack: TestStack; lab: CdnLab; stop(): Promise<void> }> {
  const [mediaPort, shieldPort, ...edgePorts] = await freePorts(2 + cdn.regions.length);
  const edgeUrls = edgePorts.map((p) => `http://127.0.0.1:${p}`);
  const mediaUrl = `http://127.0.0.1:${mediaPort}`;
  const stack = await startTestStack(
    {
      ...settings,
      catalog: { EDGE_URLS: edgeUrls.join(','), ...settings.catalog },
      control: {
        EDGE_URL: edgeUrls[0],
        CDN_EDGE_URLS: edgeUrls.join(','),
        CDN_SHIELD_URL: `http://127.0.0.1:${shieldPort}`,
        MEDIA_ORIGIN_URL: mediaUrl,
        ...settings.control,
      },
    },
    { proxies: true },
  );
  let lab: CdnLab;
  try {
    lab = await startCdnLab({
      gateways: stack.urls.gateway.map((u) => new URL(u).host),
      refreshToken: edgeRefreshToken(TEST_INTERNAL_AUTH_SECRET),
      edgePorts,
      mediaPort,
      shieldPort,
      aliasMaxAgeSeconds: options.aliasMaxAgeSeconds,
    });
  } catch (error) {
    await stack.stop();
    throw error;
  }
  const origin = lab;
  stack.adopt({
    id: `${cdn.mediaOrigin.name}-1`,
    service: cdn.mediaOrigin.name,
    url: mediaUrl,
    kill: () => origin.killOrigin(),
    start: () => origin.startOrigin(),
  });
  return {
    stack,
    lab,
    stop: async () => {
      await lab.stop();
      await stack.stop();
    },
  };
}
