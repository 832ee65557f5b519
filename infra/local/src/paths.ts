// Every file the runner owns lives under <repo>/.infra (git-ignored).
import path from 'node:path';
import { kafka, zookeeper } from '@sdp/topology';

export interface InfraPaths {
  root: string;
  logs: string;
  run: string;
  postgresData: string;
  postgresSocket: string;
  redis: string;
  kafkaData: string;
  kafkaConfig: string;
  kafkaLibsCache: string;
  zookeeperData: string;
  zookeeperConfig: string;
  zookeeperLibsCache: string;
  envFile: string;
}

export function infraPaths(repoRoot: string): InfraPaths {
  const root = path.join(repoRoot, '.infra');
  return {
    root,
    logs: path.join(root, 'logs'),
    run: path.join(root, 'run'),
    postgresData: path.join(root, 'postgres'),
    postgresSocket: path.join(root, 'run', 'pg-socket'),
    redis: path.join(root, 'redis'),
    kafkaData: path.join(root, 'kafka', 'data'),
    kafkaConfig: path.join(root, 'kafka'),
    kafkaLibsCache: path.join(root, 'cache', `kafka-${kafka.version}`, 'libs'),
    zookeeperData: path.join(root, 'zookeeper', 'data'),
    zookeeperConfig: path.join(root, 'zookeeper'),
    zookeeperLibsCache: path.join(root, 'cache', `zookeeper-${zookeeper.version}`, 'libs'),
    envFile: path.join(root, 'env'),
  };
}

export const logFile = (paths: InfraPaths, server: string): string => path.join(paths.logs, `${server}.log`);
export const pidFile = (paths: InfraPaths, server: string): string => path.join(paths.run, `${server}.pid`);
