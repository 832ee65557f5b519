// Entry point of `pnpm stack [--build] [--down] [--logs <service>]`: build if needed, infra up, every
// replica of every service in @sdp/topology as a child process logging to .infra/logs/<replica>.log,
// wait for /ready, then nginx (the lb over the replicas, the edge over the gateways; readiness: a GET
// through each), print the URLs. The console shows progress, the summary and crashes, not the logs.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { localInfraEnv, portOffset, proxyPort, runnerControl, services } from '@sdp/topology';
import { startControlChannel, type ControlChannel } from './control-channel';
import { down, up } from './lifecycle';
import { nginxBinary } from './nginx/nginx-process';
import { checkThrough, startStackProxies, type StackProxies } from './nginx/stack-proxies';
import { cdnSummary, cdnTcpPorts, mediaOriginReplica } from './cdn/stack-cdn';
import { infraPaths } from './paths';
import { startReplicas, type ReplicaProcesses } from './replica-processes';
import { formatSummary, replicasOf, unbuilt } from './replicas';
import { stackSecret } from './secret';
import { allServers } from './servers';
import { infraServerControl } from './server-control';
import { parseStackArgs, stackUsage, type StackOptions } from './stack-args';
import { isPortOpen } from './wait';
import { followLogs } from './logs/follow';
import { logFilesOf, listLogs, replicaLogFile } from './logs/log-files';
import { prettyLines } from './logs/pretty';
import { tailFile } from './process';
import { repoRoot } from './workspace';

const READY_TIMEOUT_MS = 60_000;
// A consumer leaving its group mid-rebalance (all replicas start together) can take a few seconds.
const STOP_GRACE_MS = 10_000;

const red = (text: string) => (process.stderr.isTTY ? `\x1b[1;31m${text}\x1b[0m` : text);

function pnpmBuild(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('pnpm', ['build'], { cwd: repoRoot, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`pnpm build failed (exit ${code})`)),
    );
  });
}

async function main(options: StackOptions): Promise<number> {
  const started = Date.now();
  const paths = infraPaths(repoRoot);
  const infraEnv = {
    ...localInfraEnv(),
    INTERNAL_AUTH_SECRET: stackSecret('INTERNAL_AUTH_SECRET', paths.root),
  };
  const demoPassword = stackSecret('DEMO_PASSWORD', paths.root);
  const gatewayEnv = { JWT_SECRET: stackSecret('JWT_SECRET', paths.root), DEMO_PASSWORD: demoPassword };
  const runnerSecret = stackSecret('RUNNER_CONTROL_SECRET', paths.root);
  const replicas = replicasOf(services, {
    repoRoot,
    infraEnv,
    serviceEnv: (service): Record<string, string> =>
      service === 'gateway' ? gatewayEnv : service === 'control' ? { RUNNER_SECRET: runnerSecret } : {},
  });
  replicas.push(mediaOriginReplica(paths, repoRoot)); // the CDN's origin for product pictures
  nginxBinary(); // fail before building or starting anything when nginx is missing

  const missing = unbuilt(replicas, fs.existsSync);
  if (options.build || missing.length > 0) {
    console.log(options.build ? 'building (--build)' : `building: no dist for ${missing.join(', ')}`);
    await pnpmBuild();
    console.log('built');
  }

  if (!(await up(allServers(), paths, repoRoot))) return 1;

  const taken: string[] = [];
  for (const r of replicas) if (await isPortOpen(r.port)) taken.push(`${r.id} (:${r.port})`);
  for (const role of ['edge', 'lb'] as const)
    if (await isPortOpen(proxyPort(role))) taken.push(`${role} (:${proxyPort(role)})`);
  for (const { name, port } of cdnTcpPorts()) if (await isPortOpen(port)) taken.push(`${name} (:${port})`);
  const channelPort = runnerControl.port + portOffset();
  if (await isPortOpen(channelPort)) taken.push(`${runnerControl.name} (:${channelPort})`);
  if (taken.length > 0)
    throw new Error(`ports already in use for ${taken.join(', ')}: is another \`pnpm stack\` running?`);

  const infraNote = options.down
    ? 'stopping the infrastructure (--down)'
    : 'the infrastructure keeps running (pnpm infra:down stops it)';
  console.log(`\nstarting ${replicas.length} replicas; their logs go to ${paths.logs}/<replica>.log`);
  let ready = false; // before that, a replica that dies fails the start-up (with its output)
  const processes = startReplicas(replicas, {
    cwd: repoRoot,
    logsDir: paths.logs,
    onCrash: (replica, how) => {
      if (!ready) return;
      const log = replicaLogFile(paths.logs, replica.id);
      console.error(
        red(`\n!!! ${replica.id} (${replica.url}) exited with ${how}; the others keep running`) +
          `\n--- last lines of ${log} ---\n${prettyLines(tailFile(log, 20), Boolean(process.stderr.isTTY))}`,
      );
    },
    onControl: (replica, what) => console.log(`${replica.id} (${replica.url}) ${what}`),
  });
  // The control service's way to kill and restart replicas, and to stop and start the Redis nodes
  // and Kafka, for the architecture page's scenarios.
  const channel: ControlChannel = await startControlChannel({
    port: channelPort,
    secret: runnerSecret,
    control: processes,
    servers: infraServerControl(paths, repoRoot),
  });

  let proxies: StackProxies | undefined;
  let shuttingDown: Promise<number> | undefined;
  const shutdown = (why: string, code: number): Promise<number> =>
    (shuttingDown ??= (async () => {
      await channel.close();
      if (proxies) {
        await proxies.stop();
        console.log('edge and lb (nginx) stopped');
      }
      console.log(
        `\n${why}: stopping ${replicas.length} replica(s) (SIGTERM, SIGKILL after ${STOP_GRACE_MS / 1000}s)`,
      );
      await processes.stop(STOP_GRACE_MS);
      console.log('all replicas stopped');
      if (options.down) await down(allServers(), paths, false);
      console.log(options.down ? 'infrastructure stopped' : infraNote);
      return code;
    })());
  let signals = 0;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(signal, () => {
      if (++signals > 1) console.error('(still stopping; replicas get SIGKILL after the grace period)');
      void shutdown(signal, 0).then((code) => process.exit(code));
    });

  try {
    // nginx first: it needs no upstream to start, and the gateways count the lb in their readiness.
    proxies = await startStackProxies(replicas, {
      paths,
      repoRoot,
      internalAuthSecret: infraEnv.INTERNAL_AUTH_SECRET,
    });
  } catch (err) {
    if (shuttingDown) return shuttingDown;
    console.error(red(`\n${(err as Error).message}`));
    return shutdown('start-up failed (nginx)', 1);
  }
  try {
    await processes.waitReady(READY_TIMEOUT_MS);
  } catch (err) {
    if (shuttingDown) return shuttingDown; // interrupted while starting
    console.error(red(`\n${(err as Error).message}`));
    return shutdown('start-up failed', 1);
  }
  try {
    const through = await checkThrough(
      proxies,
      [
        ...new Set(
          replicas.filter((r) => r.service !== 'gateway' && r.service !== 'media').map((r) => r.service),
        ),
      ],
      READY_TIMEOUT_MS,
    );
    if (!through.edgeOk)
      console.error(
        red(`\nwarning: the edge is up but a read through it did not answer 200: ${through.edgeDetail}`),
      );
  } catch (err) {
    if (shuttingDown) return shuttingDown;
    console.error(red(`\n${(err as Error).message}`));
    return shutdown('start-up failed (nginx)', 1);
  }
  ready = true;
  console.log(
    `\n${formatSummary(replicas, {
      seconds: (Date.now() - started) / 1000,
      downOnExit: options.down,
      proxies: { edge: proxies.edge.url, lb: proxies.lb.url },
      demoLogin: `alice@example.com (or admin@example.com) with password ${demoPassword}`,
      logsDir: paths.logs,
    })}\n\n${cdnSummary(proxies)}\n`,
  );
  if (options.logs)
    followLogs(logFilesOf(options.logs, paths.logs, listLogs(paths.logs)), { lines: 0, follow: true });
  return waitForever(processes, shutdown);
}

/** Runs until a signal (handled above) or until every replica has gone. */
async function waitForever(
  processes: ReplicaProcesses,
  shutdown: (why: string, code: number) => Promise<number>,
): Promise<number> {
  await processes.allExited;
  return shutdown('every replica has exited', 1);
}

let options: StackOptions | 'help';
try {
  options = parseStackArgs(process.argv.slice(2));
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}
if (options === 'help') {
  console.log(stackUsage);
  process.exit(0);
}
main(options).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
