// The CDN of a stack: the origin shield in front of the media origin, one edge per region, and a
// WAN link between each remote region's edge and the shield. Used by `pnpm stack` (ports from
// @sdp/topology) and by tests (free ports). The home region's edge talks to the gateways and the
// shield directly; a remote edge sends both its /api/ and its /media/ misses over its link.
import path from 'node:path';
import { startNginx, type NginxInstance } from '../nginx/nginx-process';
import { startWanLink, type WanLink } from '../../../../apps/wan-link/src/wan-link';

export interface RegionPlan {
  region: string;
  /** Log and directory name, e.g. edge-us. */
  name: string;
  edgePort: number;
  rttMs: number;
  /** Required when rttMs > 0. */
  linkPort?: number;
}

export interface CdnPlan {
  /** Each instance gets <dir>/<name>. */
  dir: string;
  logsDir?: string;
  shieldPort: number;
  /** Media origin address(es), `host:port`. */
  mediaOrigin: readonly string[];
  /** Gateway addresses, `host:port`. */
  gateways: readonly string[];
  refreshToken: string;
  webRoot?: string;
  /** `host:port` of the CDN log collector (UDP). */
  cdnLog?: string;
  /** false: the shield routes without caching. */
  shieldCache?: boolean;
  regions: readonly RegionPlan[];
}

export interface CdnRegionNodes {
  region: string;
  rttMs: number;
  edge: NginxInstance;
  link?: WanLink;
}

export interface CdnNodes {
  shield: NginxInstance;
  regions: CdnRegionNodes[];
  /** Switches the shield's cache on or off (nginx reload; its stored entries stay on disk). */
  setShieldCache(on: boolean): Promise<void>;
  stop(): Promise<void>;
}

export async function startCdn(plan: CdnPlan): Promise<CdnNodes> {
  const started: { stop(): Promise<void> }[] = [];
  const stopAll = async () => {
    for (const node of started.reverse()) await node.stop();
  };
  try {
    const shield = await startNginx({
      role: 'shield',
      dir: path.join(plan.dir, 'shield'),
      port: plan.shieldPort,
      logsDir: plan.logsDir,
      mediaServers: plan.mediaOrigin,
      gateways: plan.gateways,
      cache: plan.shieldCache,
    });
    started.push(shield);
    const shieldAddress = `127.0.0.1:${plan.shieldPort}`;
    const regions: CdnRegionNodes[] = [];
    for (const r of plan.regions) {
      let link: WanLink | undefined;
      if (r.rttMs > 0) {
        if (r.linkPort === undefined)
          throw new Error(`cdn: region ${r.region} has a latency but no link port`);
        link = await startWanLink({
          port: r.linkPort,
          target: { host: '127.0.0.1', port: plan.shieldPort },
          rttMs: r.rttMs,
        });
        started.push(link);
      }
      const upstream = link ? `127.0.0.1:${link.port}` : undefined;
      const edge = await startNginx({
        role: 'edge',
        dir: path.join(plan.dir, r.name),
        port: r.edgePort,
        logsDir: plan.logsDir,
        logName: `nginx-${r.name}`,
        gateways: upstream ? [upstream] : plan.gateways,
        mediaServers: [upstream ?? shieldAddress],
        refreshToken: plan.refreshToken,
        webRoot: plan.webRoot,
        region: r.region,
        cdnLog: plan.cdnLog,
      });
      started.push(edge);
      regions.push({ region: r.region, rttMs: r.rttMs, edge, link });
    }
    return {
      shield,
      regions,
      setShieldCache: (on) => shield.reload({ cache: on }),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
