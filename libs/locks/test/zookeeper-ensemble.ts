// Disposable ZooKeeper servers for the node-loss tests: an ensemble of N (a quorum is N/2 + 1) on
// free loopback ports, each a JVM from the jars `pnpm infra:up` resolved (or ZOOKEEPER_HOME).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { freePorts, waitFor } from '@sdp/testing';
import { zookeeper } from '@sdp/topology';

export interface ZooKeeperEnsemble {
  /** The client connection string over every member. */
  url: string;
  members: { port: number; kill(): Promise<void> }[];
  stop(): Promise<void>;
}

const repoRoot = path.resolve(__dirname, '../../..');

function libsDir(): string {
  const dir = process.env.ZOOKEEPER_HOME
    ? path.join(process.env.ZOOKEEPER_HOME, 'lib')
    : path.join(repoRoot, '.infra', 'cache', `zookeeper-${zookeeper.version}`, 'libs');
  if (!fs.existsSync(dir)) throw new Error(`no ZooKeeper jars in ${dir}: run pnpm infra:up first`);
  return dir;
}

function srvr(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let answer = '';
    socket.setTimeout(1_000, () => socket.destroy());
    socket.on('connect', () => socket.write('srvr'));
    socket.on('data', (chunk) => (answer += chunk.toString('utf8')));
    socket.on('close', () => resolve(answer));
    socket.on('error', () => resolve(''));
  });
}

export async function startZooKeeperEnsemble(size: number): Promise<ZooKeeperEnsemble> {
  const libs = libsDir();
  const ports = await freePorts(size * 3);
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'sdp-zk-'));
  const servers = Array.from({ length: size }, (_, i) => ({
    id: i + 1,
    client: ports[i * 3],
    quorum: ports[i * 3 + 1],
    election: ports[i * 3 + 2],
  }));
  const children: ChildProcess[] = servers.map((server) => {
    const dir = path.join(base, `zk${server.id}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'myid'), `${server.id}\n`);
    const cfg = [
      'tickTime=500',
      'initLimit=20',
      'syncLimit=4',
      'minSessionTimeout=1000',
      `dataDir=${dir}`,
      `clientPort=${server.client}`,
      'clientPortAddress=127.0.0.1',
      'admin.enableServer=false',
      '4lw.commands.whitelist=srvr,ruok',
      ...(size > 1 ? servers.map((s) => `server.${s.id}=127.0.0.1:${s.quorum}:${s.election}`) : []),
    ].join('\n');
    fs.writeFileSync(path.join(dir, 'zoo.cfg'), `${cfg}\n`);
    const log = fs.openSync(path.join(dir, 'server.log'), 'a');
    const child = spawn(
      'java',
      [
        '-Xms32m',
        '-Xmx96m',
        '-XX:TieredStopAtLevel=1',
        '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
        '-Dzookeeper.admin.enableServer=false',
        '-cp',
        `${libs}/*`,
        'org.apache.zookeeper.server.quorum.QuorumPeerMain',
        path.join(dir, 'zoo.cfg'),
      ],
      { stdio: ['ignore', log, log] },
    );
    fs.closeSync(log);
    return child;
  });
  const kill = async (child: ChildProcess) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  const ensemble: ZooKeeperEnsemble = {
    url: servers.map((s) => `127.0.0.1:${s.client}`).join(','),
    members: servers.map((s, i) => ({ port: s.client, kill: () => kill(children[i]) })),
    async stop() {
      await Promise.all(children.map(kill));
      fs.rmSync(base, { recursive: true, force: true });
    },
  };
  try {
    await waitFor(
      async () => {
        const answers = await Promise.all(servers.map((s) => srvr(s.client)));
        return answers.every((a) => /Mode: (standalone|leader|follower)/.test(a));
      },
      { timeoutMs: 60_000, intervalMs: 250, what: `a ZooKeeper ensemble of ${size}` },
    );
  } catch (error) {
    await ensemble.stop();
    throw error;
  }
  return ensemble;
}
