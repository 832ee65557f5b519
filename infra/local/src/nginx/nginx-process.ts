// Runs one nginx (role lb, edge or shield) as a child process: render the config, `nginx -t` it, start the
// master in the foreground (`daemon off`) in its own process group, wait until it answers, and
// stop/reload it by signal. Used by `pnpm stack` and by tests that put nginx in front of their own
// processes.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { findBinary, missingBinariesMessage, nginxSpec } from '../binaries';
import { isAlive, run } from '../process';
import { OutputTail } from '../replicas';
import { untraversableAncestors } from '../user';
import { waitFor } from '../wait';
import {
  renderEdgeConf,
  renderLbConf,
  renderShieldConf,
  type EdgeConfOptions,
  type LbConfOptions,
  type NginxFiles,
} from './render';

interface CommonStart {
  /** Everything of this instance goes here: nginx.conf, nginx.pid, temp/, cache/ (edge). */
  dir: string;
  port: number;
  /** Listen address; 127.0.0.1 unless told. */
  host?: string;
  /** Error and access logs; `dir` unless told. */
  logsDir?: string;
  /** Log file base name: `<logName>.log` (errors) and `<logName>-access.log`. Default `nginx-<role>`. */
  logName?: string;
  readyTimeoutMs?: number;
}

export interface StartLbOptions extends CommonStart {
  role: 'lb';
  upstreams: LbConfOptions['upstreams'];
  streaming?: LbConfOptions['streaming'];
}

export interface StartEdgeOptions extends CommonStart {
  role: 'edge';
  gateways: readonly string[];
  refreshToken: string;
  /** Default: a directory that does not exist (every static path then answers 404). */
  webRoot?: string;
  /** Default: 127.0.0.1/32 only. */
  internalAllow?: readonly string[];
  /** The region this edge stands for (default eu-west). */
  region?: string;
  /** Where /media/ goes (the shield, a WAN link or the origin); none: /media/ is a 404. */
  mediaServers?: readonly string[];
  /** `host:port` of the CDN log collector (UDP). */
  cdnLog?: string;
}

export interface StartShieldOptions extends CommonStart {
  role: 'shield';
  mediaServers: readonly string[];
  gateways: readonly string[];
  /** false: route only, cache nothing (default true). */
  cache?: boolean;
}

export type StartNginxOptions = StartLbOptions | StartEdgeOptions | StartShieldOptions;

export interface NginxInstance {
  role: 'lb' | 'edge' | 'shield';
  /** http://host:port */
  url: string;
  port: number;
  pid: number;
  confFile: string;
  errorLog: string;
  accessLog: string;
  /** Re-renders with the changes (e.g. other upstreams), checks it with `nginx -t`, sends SIGHUP and waits for the new worker. */
  reload(changes?: Partial<StartNginxOptions>): Promise<void>;
  /** Fast shutdown (SIGTERM), SIGKILL to the whole process group after `graceMs`. Idempotent. */
  stop(graceMs?: number): Promise<void>;
  /** Last lines nginx printed on stdout/stderr. */
  output(): string;
}

/** The nginx binary, or an error that says how to install it. */
export function nginxBinary(pathEnv = process.env.PATH ?? ''): string {
  const bin = findBinary(nginxSpec, pathEnv);
  if (!bin) throw new Error(missingBinariesMessage([nginxSpec]));
  return bin;
}

/** As root, workers drop to nobody and its primary group (names, as nginx's `user` wants them). */
export function workerUser(
  euid = process.geteuid?.() ?? 0,
  read: (file: string) => string = (f) => fs.readFileSync(f, 'utf8'),
): string | undefined {
  if (euid !== 0) return undefined;
  const passwd = read('/etc/passwd')
    .split('\n')
    .map((l) => l.split(':'))
    .find((f) => f[0] === 'nobody');
  const gid = passwd?.[3] ?? '65534';
  const group = read('/etc/group')
    .split('\n')
    .map((l) => l.split(':'))
    .find((f) => f[2] === gid)?.[0];
  return `nobody ${group ?? 'nogroup'}`;
}

export function instanceFiles(options: StartNginxOptions, user = workerUser()): NginxFiles {
  const logsDir = options.logsDir ?? options.dir;
  const base = options.logName ?? `nginx-${options.role}`;
  return {
    stateDir: options.dir,
    pidFile: path.join(options.dir, 'nginx.pid'),
    errorLog: path.join(logsDir, `${base}.log`),
    accessLog: path.join(logsDir, `${base}-access.log`),
    user,
  };
}

/** The rendered nginx.conf for these options (pure apart from reading the templates). */
export function renderFor(options: StartNginxOptions, files: NginxFiles): string {
  const host = options.host ?? '127.0.0.1';
  const listen = `${host}:${options.port}`;
  if (options.role === 'lb')
    return renderLbConf({ ...files, listen, upstreams: options.upstreams, streaming: options.streaming });
  if (options.role === 'shield')
    return renderShieldConf({
      ...files,
      listen,
      mediaServers: options.mediaServers,
      gateways: options.gateways,
      cacheDir: path.join(options.dir, 'cache'),
      cache: options.cache,
    });
  const edge: EdgeConfOptions = {
    ...files,
    listen,
    gateways: options.gateways,
    webRoot: options.webRoot ?? path.join(options.dir, 'no-web-root'),
    cacheDir: path.join(options.dir, 'cache'),
    internalAllow: options.internalAllow ?? ['127.0.0.1/32'],
    refreshToken: options.refreshToken,
    selfAddress: `${host === '0.0.0.0' ? '127.0.0.1' : host}:${options.port}`,
    region: options.region,
    mediaServers: options.mediaServers,
    cdnLog: options.cdnLog,
  };
  return renderEdgeConf(edge);
}

/** `nginx -t` on a rendered config; throws with nginx's own message. */
export async function testNginxConf(bin: string, confFile: string, prefix: string): Promise<void> {
  await run(bin, ['-t', '-q', '-p', prefix, '-c', confFile, '-e', 'stderr'], { timeoutMs: 15_000 });
}

/** Stops an nginx left behind by an earlier run that died without stopping it (its pid file is ours). */
async function stopLeftover(pidFile: string): Promise<void> {
  const pid = Number.parseInt(fs.existsSync(pidFile) ? fs.readFileSync(pidFile, 'utf8') : '', 10);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  const cmdline = fs.existsSync(`/proc/${pid}/cmdline`)
    ? fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    : '';
  if (!cmdline.includes('nginx')) return;
  process.kill(pid, 'SIGTERM');
  await waitFor(() => Promise.resolve(!isAlive(pid)), {
    timeoutMs: 5_000,
    what: `old nginx (pid ${pid}) to stop`,
  });
}

function prepareDirs(files: NginxFiles, logsDir: string): void {
  for (const dir of [files.stateDir, path.join(files.stateDir, 'temp'), logsDir])
    fs.mkdirSync(dir, { recursive: true });
  if (files.user) {
    // Workers run as nobody: they must reach temp/ and cache/ (nginx creates and chowns those).
    for (const dir of [files.stateDir, ...untraversableAncestors(files.stateDir, (p) => fs.statSync(p).mode)])
      fs.chmodSync(dir, fs.statSync(dir).mode | 0o005);
  }
}

/** How often `text` appears in the error log (nginx logs worker starts and stops at `notice`). */
const countInLog = (errorLog: string, text: string): number => {
  try {
    return fs.readFileSync(errorLog, 'utf8').split(text).length - 1;
  } catch {
    return 0;
  }
};
const RELOADED = ['start worker process', 'gracefully shutting down'];

export async function startNginx(options: StartNginxOptions): Promise<NginxInstance> {
  const bin = nginxBinary();
  let current = options;
  const files = instanceFiles(options);
  const confFile = path.join(options.dir, 'nginx.conf');
  const logsDir = path.dirname(files.errorLog);
  prepareDirs(files, logsDir);
  await stopLeftover(files.pidFile);

  const write = async (opts: StartNginxOptions) => {
    fs.writeFileSync(confFile, renderFor(opts, files));
    await testNginxConf(bin, confFile, options.dir);
  };
  await write(options);

  const child = spawn(bin, ['-p', options.dir, '-c', confFile, '-e', files.errorLog], {
    detached: true, // own process group: a terminal's Ctrl-C is ours to handle, and kill(-pid) reaches the workers
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail = new OutputTail(40);
  child.stdout.on('data', (c: Buffer) => tail.push(c.toString()));
  child.stderr.on('data', (c: Buffer) => tail.push(c.toString()));
  let exited: string | undefined;
  const exit = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      exited = signal ? `signal ${signal}` : `exit code ${code}`;
      resolve();
    });
    child.on('error', (err) => {
      exited = `failed to start: ${err.message}`;
      resolve();
    });
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${bin}`);
  const url = `http://${options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1'}:${options.port}`;
  const errorLogTail = () => {
    try {
      return fs.readFileSync(files.errorLog, 'utf8').trimEnd().split('\n').slice(-15).join('\n');
    } catch {
      return '';
    }
  };

  const stop = async (graceMs = 5_000) => {
    if (exited) return;
    process.kill(pid, 'SIGTERM');
    const timer = setTimeout(() => {
      try {
        process.kill(-pid, 'SIGKILL'); // the master and its workers
      } catch {
        // already gone
      }
    }, graceMs);
    await exit;
    clearTimeout(timer);
  };

  try {
    await waitFor(
      async () => (await fetch(`${url}/nginx-health`, { signal: AbortSignal.timeout(1_000) })).status === 200,
      {
        timeoutMs: options.readyTimeoutMs ?? 10_000,
        intervalMs: 50,
        what: `nginx ${options.role} on ${url}`,
        abort: () => (exited ? `nginx exited (${exited})` : undefined),
      },
    );
  } catch (err) {
    await stop(1_000);
    throw new Error(`${(err as Error).message}\n${tail.text()}\n${errorLogTail()}`, { cause: err });
  }

  return {
    role: options.role,
    url,
    port: options.port,
    pid,
    confFile,
    errorLog: files.errorLog,
    accessLog: files.accessLog,
    async reload(changes = {}) {
      if (exited) throw new Error(`nginx ${options.role} is not running (${exited})`);
      const next = { ...current, ...changes } as StartNginxOptions;
      await write(next);
      current = next;
      // Done when a new worker runs and the old one stopped accepting (it then only finishes its requests).
      const before = RELOADED.map((text) => countInLog(files.errorLog, text));
      process.kill(pid, 'SIGHUP');
      const reloaded = () => RELOADED.every((text, i) => countInLog(files.errorLog, text) > before[i]);
      await waitFor(() => Promise.resolve(reloaded()), {
        timeoutMs: 10_000,
        intervalMs: 50,
        what: `nginx ${options.role} to reload`,
        abort: () => (exited ? `nginx exited (${exited})` : undefined),
      });
    },
    stop,
    output: () => `${tail.text()}\n${errorLogTail()}`,
  };
}
