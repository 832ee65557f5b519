import { zookeeper } from '@sdp/topology';
import { infraPaths } from '../paths';
import { renderZooCfg, zookeeperJavaArgs, zookeeperLibsDir } from './zookeeper';
import { parseProperties } from '../../test/support/properties';

describe('zookeeper config', () => {
  it('listens on loopback on the topology port, admin server off', () => {
    const props = parseProperties(renderZooCfg('/data/zk'));
    expect(props).toMatchObject({
      clientPort: String(zookeeper.clientPort),
      clientPortAddress: '127.0.0.1',
      dataDir: '/data/zk',
      'admin.enableServer': 'false',
    });
  });

  it('allows sessions from two ticks, so tests can show a session expiring in about a second', () => {
    const props = parseProperties(renderZooCfg('/d'));
    expect(Number(props.minSessionTimeout)).toBe(2 * Number(props.tickTime));
    expect(Number(props.minSessionTimeout)).toBeLessThanOrEqual(1_000);
    expect(props['4lw.commands.whitelist'].split(',')).toEqual(expect.arrayContaining(['ruok', 'srvr']));
  });

  it('runs QuorumPeerMain from the jar directory, from ZOOKEEPER_HOME when set', () => {
    const paths = infraPaths('/repo');
    expect(zookeeperLibsDir(paths, {})).toBe(`/repo/.infra/cache/zookeeper-${zookeeper.version}/libs`);
    expect(zookeeperLibsDir(paths, { ZOOKEEPER_HOME: '/opt/zk' })).toBe('/opt/zk/lib');
    const args = zookeeperJavaArgs('/libs', '/cfg/zoo.cfg');
    expect(args.slice(-4)).toEqual([
      '-cp',
      '/libs/*',
      'org.apache.zookeeper.server.quorum.QuorumPeerMain',
      '/cfg/zoo.cfg',
    ]);
  });
});
